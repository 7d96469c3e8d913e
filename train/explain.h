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

// The rows (0-based) of one user's impressions; throws naming the user when there are none.
std::vector<std::size_t> rows_of_user(const LoadedRun& run, const EncodedDataset& data, const std::string& user);

}  // namespace recgrad
