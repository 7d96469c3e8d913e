#pragma once
// Reading a parameter's gradient from optimizer kernels and clipping.
#include <cstddef>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

// A run of `length` consecutive elements of a parameter, from `param_begin` in its buffer. When
// `touched`, their gradient starts at `grad_begin` in the gradient buffer (Tensor::grad_data): the same
// offset for a dense gradient, the packed position for a row-sparse one. Untouched runs have gradient 0.
struct GradRun {
  std::size_t param_begin;
  std::size_t length;
  bool touched;
  std::size_t grad_begin;
};

// The runs where a parameter's gradient may be non-zero: all elements for a dense gradient; for a
// row-sparse one (Tensor::grad_rows) the touched rows, adjacent rows merged into one run.
std::vector<GradRun> touched_runs(const Tensor& param);

// Every element of the parameter, in order: the touched runs and, between them, untouched ones.
// For optimizers that update every element, with g = 0 where nothing was touched.
std::vector<GradRun> all_runs(const Tensor& param);

// Elements in the gradient buffer: numel() when dense, touched rows * row size when row-sparse.
// Every element that may be non-zero is among them, so norms and clipping can run over the buffer.
std::size_t grad_buffer_size(const Tensor& param);

}  // namespace recgrad
