#pragma once
// Mini-batches of an EncodedDataset, padded to one length, in a seeded order that can be resumed
// exactly after a checkpoint.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "data/dataset.h"

namespace recgrad {

// One mini-batch, row-major. History slot t of sample b is at [b * T + t]; t = 0 is the most recent
// item, slots t >= lengths[b] hold the padding index 0. The model's key_padding_mask is
// (t >= lengths[b]). A side-info cell of field f is W_f = side_width[f] indices (its values, then
// padding 0; EncodedDataset's layout): value k of slot (b, t) is history_side[f][(b * T + t) * W_f + k].
struct Batch {
  std::size_t B = 0, T = 0;
  std::vector<std::size_t> side_width;                  // [fields] W_f, 1 for single-valued fields
  std::vector<std::int64_t> target_item;                // [B]
  std::vector<std::vector<std::int64_t>> target_side;   // [fields][B * W_f]
  std::vector<std::int64_t> history_item;               // [B * T]
  std::vector<std::vector<std::int64_t>> history_side;  // [fields][B * T * W_f], padded slots all 0
  std::vector<std::size_t> lengths;                     // [B] true history lengths
  std::vector<std::int64_t> time_gaps;                  // [B * T] seconds to the impression, 0 when padded; or empty
  std::vector<double> labels;                           // [B], empty for unlabelled data
  std::vector<std::int64_t> user;                       // [B], empty without a user column
  std::vector<std::size_t> rows;                        // [B] dataset row of each sample
};

// The given rows as one batch. pad_to = 0: T is the longest history among them (at least 1, so an
// all-empty batch still has one padded slot); otherwise T = pad_to, which must cover every history.
Batch make_batch(const EncodedDataset& data, const std::vector<std::size_t>& rows, std::size_t pad_to = 0);

struct BatcherOptions {
  std::size_t batch_size = 256;
  bool shuffle = true;      // false: dataset order (evaluation)
  std::uint64_t seed = 0;
  std::size_t pad_to = 0;   // as in make_batch
  // Data-parallel training: every process draws the same global batches and takes its shard of each,
  // rows [B i / n, B (i + 1) / n) for shard i of n (n = 1: the whole batch). A shard may be empty.
  std::size_t shard_index = 0, shard_count = 1;
};

// Where a Batcher stands, for checkpoints: the epoch, the next position in its order, and the random
// state from which that epoch's order was drawn (so the order is redrawn, not stored).
struct BatcherState {
  std::size_t epoch = 0;
  std::size_t position = 0;
  std::string epoch_rng_state;
};

// Epoch after epoch over the dataset: each epoch a fresh permutation (when shuffling), cut into
// batches of batch_size; the last batch of an epoch may be smaller.
//
//   while (batcher.next(batch)) train_step(batch);   // one epoch; the next call starts the next one
class Batcher {
 public:
  Batcher(const EncodedDataset& data, BatcherOptions options);  // keeps a reference to data

  bool next(Batch& batch);  // false (batch untouched) at the end of an epoch, which also moves to the next
  std::size_t epoch() const { return epoch_; }
  std::size_t batches_per_epoch() const;
  // The size of the global batch that the last next() took its shard from (its own size unsharded).
  std::size_t global_batch_size() const { return global_batch_size_; }

  BatcherState state() const;
  void restore(const BatcherState& state);  // throws std::invalid_argument on a state that does not fit

 private:
  void start_epoch();

  const EncodedDataset& data_;
  BatcherOptions options_;
  Rng rng_;
  std::size_t epoch_ = 0, position_ = 0, global_batch_size_ = 0;
  std::string epoch_rng_state_;
  std::vector<std::size_t> order_;
};

}  // namespace recgrad
