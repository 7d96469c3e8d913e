#pragma once
// Reading a parameter's gradient from optimizer kernels and clipping.
#include <cstddef>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

// False when no backward has reached the parameter yet (PyTorch's `p.grad is None`).
bool has_grad(const Tensor& param);

// A run [begin, end) of elements of a row-major buffer.
struct ElementRange {
  std::size_t begin;
  std::size_t end;
};

// Where a parameter's gradient may be non-zero: every element for a dense gradient; for a row-sparse
// one (only gather_rows wrote it, Tensor::grad_rows) the touched rows, adjacent rows merged into one
// range. Everything outside these ranges is exactly zero, so sums over them equal sums over all.
std::vector<ElementRange> touched_ranges(const Tensor& param);

}  // namespace recgrad
