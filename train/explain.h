#pragma once
// What the model attended to for one impression: the target, p(click), and the history items ranked by
// their attention weight (averaged over heads). `recgrad explain` prints it; the Python module returns it.
#include <cstdint>
#include <string>
#include <vector>

#include "data/tsv_reader.h"
#include "train/run_dir.h"

namespace recgrad {

struct ItemDescription {
  std::string id;                 // the item id, as in the data
  std::vector<std::string> side;  // one decoded cell per side-info field ("a|b" for multi-valued)
};

struct AttendedItem {
  ItemDescription item;
  std::size_t position = 0;           // 0 = the most recent behaviour
  double weight = 0;                  // mean over heads
  std::vector<double> head_weights;   // one per head (one entry without heads)
};

struct Explanation {
  std::size_t row = 0;  // 0-based impression of the data
  double label = 0;
  double probability = 0;
  ItemDescription target;
  std::vector<AttendedItem> history;  // ranked by weight, highest first (ties: more recent first)
  std::size_t heads = 1;
};

// The data a run command scores: a TSV in the run's format (path non-empty), or the run's own test split.
EncodedDataset data_for(const LoadedRun& run, const std::string& path,
                        LabelColumn label_column = LabelColumn::Required);

// Throws std::invalid_argument naming the row when it is outside the data.
Explanation explain_impression(LoadedRun& run, const EncodedDataset& data, std::size_t row);

// The attention of every impression of a dataset, as flat row-major arrays for statistics over a whole
// split (which history items a head weights, against their share). Ids are the encoded vocabulary
// indices the model reads: 0 = padding, 1 = out of vocabulary (so two OOV values compare equal). A
// multi-valued side-info field gives the FIRST value of each cell.
struct DatasetAttention {
  std::size_t impressions = 0, heads = 1, T = 0;  // N; h (1 without heads); T = the longest history (at least 1)
  std::vector<double> weights;                    // [N, h, T], 0 at padded positions
  std::vector<std::size_t> lengths;               // [N] true history lengths
  std::vector<std::int64_t> target_item;          // [N]
  std::vector<std::int64_t> history_item;         // [N, T], most recent first, padding 0
  std::vector<std::vector<std::int64_t>> target_side;   // [fields][N]
  std::vector<std::vector<std::int64_t>> history_side;  // [fields][N, T]
};

// One no-grad, eval-mode pass over `data` in batches of the run's batch size; throws on empty data.
DatasetAttention dataset_attention(LoadedRun& run, const EncodedDataset& data);

// The rows (0-based) of one user's impressions; throws naming the user when there are none.
std::vector<std::size_t> rows_of_user(const LoadedRun& run, const EncodedDataset& data, const std::string& user);

}  // namespace recgrad
