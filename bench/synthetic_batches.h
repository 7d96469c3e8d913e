#pragma once
// Synthetic mini-batches for the benchmarks, drawn by a formula that bench/torch_click_model.py
// repeats exactly, so recgrad and PyTorch train on the same ids, lengths and labels.
//
//   draw(k, stream, i) = splitmix64((k << 40) ^ (stream << 32) ^ i)     batch k, stream, element i
//   target id  = 1 + draw(k, 0, b) % (items - 1)          history ids: stream 1, [B * T]
//   side f     = 1 + draw(k, 2 + 2f, .) % (size_f - 1)    target; history: stream 3 + 2f
//   length     = 1 + draw(k, 30, b) % T;  label = draw(k, 31, b) % 2
// Slots t >= length hold the padding id 0.
#include <cstdint>
#include <vector>

#include "data/batcher.h"

namespace recgrad::bench {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline std::uint64_t draw(std::uint64_t k, std::uint64_t stream, std::uint64_t i) {
  return splitmix64((k << 40) ^ (stream << 32) ^ i);
}

inline Batch synthetic_batch(std::uint64_t k, std::size_t B, std::size_t T, std::size_t items,
                             const std::vector<std::size_t>& side) {
  Batch batch;
  batch.B = B;
  batch.T = T;
  auto ids = [&](std::uint64_t stream, std::size_t n, std::size_t vocabulary) {
    std::vector<std::int64_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = std::int64_t(1 + draw(k, stream, i) % (vocabulary - 1));
    return v;
  };
  batch.target_item = ids(0, B, items);
  batch.history_item = ids(1, B * T, items);
  batch.side_width.assign(side.size(), 1);  // single-valued side info
  for (std::size_t f = 0; f < side.size(); ++f) {
    batch.target_side.push_back(ids(2 + 2 * f, B, side[f]));
    batch.history_side.push_back(ids(3 + 2 * f, B * T, side[f]));
  }
  for (std::size_t b = 0; b < B; ++b) {
    batch.lengths.push_back(std::size_t(1 + draw(k, 30, b) % T));
    batch.labels.push_back(double(draw(k, 31, b) % 2));
    for (std::size_t t = batch.lengths[b]; t < T; ++t) {
      batch.history_item[b * T + t] = 0;
      for (auto& field : batch.history_side) field[b * T + t] = 0;
    }
  }
  return batch;
}

}  // namespace recgrad::bench
