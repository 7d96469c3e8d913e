#pragma once
// Shared by the ops that take a 0/1 mask (softmax, log_softmax, where, masked_fill).
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

// The mask broadcast to `shape`, one flag per element in row-major order (1 where the mask is
// nonzero: leave out). Empty when the mask is undefined (nothing left out). Throws naming `op` and
// both shapes when the mask does not broadcast to exactly `shape`. Defined in core/ops/select.cpp.
std::vector<std::uint8_t> broadcast_mask(const Tensor& mask, const Shape& shape, const char* op);

}  // namespace recgrad
