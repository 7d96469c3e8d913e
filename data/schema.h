#pragma once
// The column-to-role mapping of an interaction TSV (data/README.md). The config fills it; the
// reader, the writer and the batcher follow it.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace recgrad {

// The order of the entries in a history cell of the file. In memory a RawDataset always holds
// histories oldest first, and an EncodedDataset most recent first.
enum class HistoryOrder { OldestFirst, NewestFirst };

HistoryOrder parse_history_order(const std::string& name);  // "oldest_first" | "newest_first"
std::string history_order_name(HistoryOrder order);

struct Schema {
  std::string label = "label";            // 0/1 click
  std::string item;                       // target item id
  std::vector<std::string> item_side;     // target side-info columns, e.g. {"item_cate"}; they name the fields
  std::string user;                       // optional user id column; "" = none
  std::string history;                    // history item ids, joined by `separator`
  std::vector<std::string> history_side;  // one per item_side entry, same order
  std::string separator = ",";
  HistoryOrder order = HistoryOrder::OldestFirst;
  std::size_t max_len = 50;               // longer histories keep their most recent max_len items
  // Multi-valued side info: item_side field -> the separator between the values of one cell
  // ("Comedy|Drama" with "|"). Such a field is embedded as the mean of its values' rows.
  std::map<std::string, std::string> multi_valued;
  // Ids seen fewer times than this in the training split (as target or in a history) share the
  // out-of-vocabulary row, which is then trained and means "rare or new".
  std::size_t min_count = 1;
  // Optional times (integer seconds) for time-gap positions: the impression's, and one per history
  // entry joined by `separator`, in the history's order. Both or neither; "" = none.
  std::string timestamp;
  std::string history_timestamps;
};

// Throws std::invalid_argument naming the problem: a required column left empty, a side-info field
// without its history column, one timestamp column without the other, a column used twice, a
// separator that is empty or holds a TAB, max_len 0.
void validate(const Schema& schema);

// Every column the schema reads, in the order of a written file's header.
std::vector<std::string> schema_columns(const Schema& schema);

}  // namespace recgrad
