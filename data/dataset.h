#pragma once
// The two in-memory forms of interaction data. A RawDataset holds the strings of a file (or of the
// synthetic generator) by role; encode() (data/encoder.h) turns it into an EncodedDataset of
// vocabulary indices in the layout the model reads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace recgrad {

struct RawDataset {
  std::vector<std::string> side_fields;  // names of the side-info fields (the target side-info columns)
  bool has_users = false;

  std::vector<double> labels;                                      // [N] 0 or 1; empty for unlabelled data
  std::vector<std::string> users;                                  // [N], empty unless has_users
  std::vector<std::string> target_item;                            // [N]
  std::vector<std::vector<std::string>> target_side;               // [fields][N]
  std::vector<std::vector<std::string>> history_item;              // [N][length], OLDEST FIRST
  std::vector<std::vector<std::vector<std::string>>> history_side; // [fields][N][length]
  // Times in seconds, both empty unless the schema names timestamp columns (synthetic data has them).
  std::vector<std::int64_t> timestamp;                             // [N] the impression's
  std::vector<std::vector<std::int64_t>> history_timestamps;       // [N][length], aligned with history_item

  // Known only for synthetic data (empty otherwise): each impression's true click probability, and
  // for each history item whether it is relevant to the target (same category), aligned with history_item.
  std::vector<double> click_probability;       // [N]
  std::vector<std::vector<bool>> relevant;     // [N][length]

  std::size_t size() const { return target_item.size(); }
};

// Index 0 is padding, 1 out-of-vocabulary (data/vocabulary.h).
struct EncodedDataset {
  std::vector<std::string> side_fields;
  bool has_users = false;

  std::vector<double> labels;                                         // [N], or empty (unlabelled)
  std::vector<std::int64_t> users;                                    // [N] user vocabulary index, or empty
  // [N] one id per distinct user string of THIS dataset (0, 1, ... by first appearance): the groups of
  // GAUC. Unlike `users`, test users unseen in training stay apart instead of sharing the OOV index.
  std::vector<std::int64_t> user_groups;
  std::vector<std::int64_t> target_item;                              // [N]
  // Side info: a cell of field f is W_f = side_width[f] indices, its values then padding 0 (a
  // multi-valued cell "Comedy|Drama" holds several values; data/README.md).
  std::vector<std::size_t> side_width;  // [fields] values per side-info cell: 1 for single-valued, else the most values of any cell of THIS dataset
  std::vector<std::vector<std::int64_t>> target_side;                 // [fields][N * W_f]
  std::vector<std::vector<std::int64_t>> history_item;                // [N][length <= max_len], MOST RECENT FIRST
  std::vector<std::vector<std::vector<std::int64_t>>> history_side;   // [fields][N][length * W_f]
  // Seconds from each kept behaviour to its impression (>= 0), aligned with history_item; empty
  // without timestamps. What time-gap positions embed.
  std::vector<std::vector<std::int64_t>> time_gaps;                   // [N][length], MOST RECENT FIRST

  std::vector<double> click_probability;    // [N], synthetic only
  std::vector<std::vector<bool>> relevant;  // [N][length], synthetic only, aligned with history_item

  std::size_t size() const { return target_item.size(); }
};

// The rows of a dataset, in the given order (for train/test splits and subsets).
RawDataset select_rows(const RawDataset& data, const std::vector<std::size_t>& rows);

}  // namespace recgrad
