#pragma once
// How much memory a run will need, estimated before the model is built, so that a config the machine
// cannot hold is refused with the keys that drive it instead of ending in std::bad_alloc mid-run.
//   parameters  embedding tables (ids, side info, users, positions) + attention and tower weights
//   optimizer   Adam's two moments per parameter (SGD: one, or none without momentum)
//   step        the activations and gradients of one batch: about 24 floats per history element of
//               the item dimension, plus the DIN unit's and the tower's hidden layers
// All float32. An estimate, not an accounting: it sits within a factor of about 2 of the peak.
#include <cstdint>
#include <string>

#include "models/click_model.h"
#include "train/config.h"

namespace recgrad {

struct MemoryEstimate {
  std::uint64_t embeddings = 0, other_parameters = 0, optimizer = 0, step = 0;
  std::uint64_t total() const { return embeddings + other_parameters + optimizer + step; }
};

MemoryEstimate estimate_memory(const RunConfig& config, const FeatureSizes& sizes);

// MemAvailable of /proc/meminfo in bytes, or 0 where it cannot be read (then nothing is refused).
std::uint64_t available_memory();

// Throws std::invalid_argument when the estimate exceeds `available` (0 = unknown: no check), naming
// the sizes and the config keys that drive them.
void check_memory(const RunConfig& config, const FeatureSizes& sizes, std::uint64_t available);

}  // namespace recgrad
