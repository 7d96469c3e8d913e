#include "data/dataset.h"

#include <stdexcept>

namespace recgrad {

RawDataset select_rows(const RawDataset& data, const std::vector<std::size_t>& rows) {
  const std::size_t fields = data.side_fields.size();
  RawDataset out;
  out.side_fields = data.side_fields;
  out.has_users = data.has_users;
  out.target_side.resize(fields);
  out.history_side.resize(fields);
  for (std::size_t row : rows) {
    if (row >= data.size())
      throw std::invalid_argument("select_rows: row " + std::to_string(row) + " of a dataset with " +
                                  std::to_string(data.size()) + " rows");
    if (!data.labels.empty()) out.labels.push_back(data.labels[row]);
    if (data.has_users) out.users.push_back(data.users[row]);
    out.target_item.push_back(data.target_item[row]);
    out.history_item.push_back(data.history_item[row]);
    for (std::size_t f = 0; f < fields; ++f) {
      out.target_side[f].push_back(data.target_side[f][row]);
      out.history_side[f].push_back(data.history_side[f][row]);
    }
    if (!data.timestamp.empty()) {
      out.timestamp.push_back(data.timestamp[row]);
      out.history_timestamps.push_back(data.history_timestamps[row]);
    }
    if (!data.click_probability.empty()) out.click_probability.push_back(data.click_probability[row]);
    if (!data.relevant.empty()) out.relevant.push_back(data.relevant[row]);
  }
  return out;
}

}  // namespace recgrad
