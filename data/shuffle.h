#pragma once
// The one shuffle of recgrad's data code: Fisher-Yates driven by recgrad::Rng, so the order is the
// same on every standard library (std::shuffle's is not).
#include <cstddef>
#include <vector>

#include "core/random.h"

namespace recgrad {

// 0, 1, ..., n-1 in random order.
std::vector<std::size_t> shuffled_rows(std::size_t n, Rng& rng);

}  // namespace recgrad
