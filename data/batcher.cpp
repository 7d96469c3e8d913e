#include "data/batcher.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "data/shuffle.h"

namespace recgrad {

Batch make_batch(const EncodedDataset& data, const std::vector<std::size_t>& rows, std::size_t pad_to) {
  const std::size_t fields = data.side_fields.size();
  if (data.side_width.size() != fields)
    throw std::invalid_argument("make_batch: the dataset has " + std::to_string(fields) + " side-info fields but " +
                                std::to_string(data.side_width.size()) + " side widths");
  std::size_t longest = 0;
  for (std::size_t row : rows) {
    if (row >= data.size())
      throw std::invalid_argument("make_batch: row " + std::to_string(row) + " of a dataset with " +
                                  std::to_string(data.size()) + " rows");
    longest = std::max(longest, data.history_item[row].size());
  }
  if (pad_to != 0 && longest > pad_to)
    throw std::invalid_argument("make_batch: a history of length " + std::to_string(longest) +
                                " does not fit pad_to = " + std::to_string(pad_to));

  Batch batch;
  batch.B = rows.size();
  batch.T = pad_to != 0 ? pad_to : std::max<std::size_t>(longest, 1);
  batch.rows = rows;
  batch.side_width = data.side_width;
  batch.target_side.resize(fields);
  batch.history_item.assign(batch.B * batch.T, 0);
  batch.history_side.resize(fields);
  for (std::size_t f = 0; f < fields; ++f) batch.history_side[f].assign(batch.B * batch.T * data.side_width[f], 0);
  if (!data.time_gaps.empty()) batch.time_gaps.assign(batch.B * batch.T, 0);
  for (std::size_t b = 0; b < batch.B; ++b) {
    const std::size_t row = rows[b];
    batch.target_item.push_back(data.target_item[row]);
    if (!data.labels.empty()) batch.labels.push_back(data.labels[row]);
    if (data.has_users) batch.user.push_back(data.users[row]);
    const std::vector<std::int64_t>& history = data.history_item[row];
    batch.lengths.push_back(history.size());
    std::copy(history.begin(), history.end(), batch.history_item.begin() + static_cast<std::ptrdiff_t>(b * batch.T));
    if (!data.time_gaps.empty())
      std::copy(data.time_gaps[row].begin(), data.time_gaps[row].end(),
                batch.time_gaps.begin() + static_cast<std::ptrdiff_t>(b * batch.T));
    for (std::size_t f = 0; f < fields; ++f) {
      const std::size_t W = data.side_width[f];
      const auto target = data.target_side[f].begin() + static_cast<std::ptrdiff_t>(row * W);
      batch.target_side[f].insert(batch.target_side[f].end(), target, target + static_cast<std::ptrdiff_t>(W));
      const std::vector<std::int64_t>& side = data.history_side[f][row];  // [length * W]
      std::copy(side.begin(), side.end(), batch.history_side[f].begin() + static_cast<std::ptrdiff_t>(b * batch.T * W));
    }
  }
  return batch;
}

Batcher::Batcher(const EncodedDataset& data, BatcherOptions options)
    : data_(data), options_(options), rng_(options.seed) {
  if (options_.batch_size == 0) throw std::invalid_argument("Batcher: batch_size must be at least 1");
  if (options_.shard_count == 0 || options_.shard_index >= options_.shard_count)
    throw std::invalid_argument("Batcher: shard " + std::to_string(options_.shard_index) + " of " +
                                std::to_string(options_.shard_count));
  if (data_.size() == 0) throw std::invalid_argument("Batcher: the dataset is empty");
  start_epoch();
}

void Batcher::start_epoch() {
  epoch_rng_state_ = rng_.state();
  position_ = 0;
  if (options_.shuffle) {
    order_ = shuffled_rows(data_.size(), rng_);
  } else {
    order_.resize(data_.size());
    std::iota(order_.begin(), order_.end(), std::size_t{0});
  }
}

bool Batcher::next(Batch& batch) {
  if (position_ == order_.size()) {
    ++epoch_;
    start_epoch();
    return false;
  }
  const std::size_t end = std::min(position_ + options_.batch_size, order_.size());
  // This shard's part of the global batch [position_, end): rows [size i / n, size (i + 1) / n).
  const std::size_t size = end - position_, i = options_.shard_index, n = options_.shard_count;
  global_batch_size_ = size;
  const std::vector<std::size_t> rows(order_.begin() + static_cast<std::ptrdiff_t>(position_ + size * i / n),
                                      order_.begin() + static_cast<std::ptrdiff_t>(position_ + size * (i + 1) / n));
  batch = make_batch(data_, rows, options_.pad_to);
  position_ = end;
  return true;
}

std::size_t Batcher::batches_per_epoch() const {
  return (data_.size() + options_.batch_size - 1) / options_.batch_size;
}

BatcherState Batcher::state() const { return {epoch_, position_, epoch_rng_state_}; }

void Batcher::restore(const BatcherState& state) {
  if (state.position > data_.size())
    throw std::invalid_argument("Batcher::restore: position " + std::to_string(state.position) +
                                " is past the end of a dataset with " + std::to_string(data_.size()) + " rows");
  rng_.set_state(state.epoch_rng_state);
  epoch_ = state.epoch;
  start_epoch();
  position_ = state.position;
}

}  // namespace recgrad
