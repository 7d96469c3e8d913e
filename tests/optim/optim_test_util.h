#pragma once
// Helpers for the optimizer tests: gradients set through the engine (as a training step would),
// slices of the golden trajectories, and bitwise comparison.
#include <cstring>
#include <string>
#include <vector>

#include "core/ops.h"
#include "tests/test_util.h"

namespace recgrad::testing {

// Adds `grad` (same shape) into param's gradient by back-propagating sum(param * grad).
inline void add_grad(const Tensor& param, const Tensor& grad) { sum(mul(param, grad)).backward(); }

// Adds row_grads [rows.size(), D] into rows `rows` of table's gradient through gather_rows, as an
// embedding lookup does; the gradient becomes row-sparse (Tensor::grad_rows).
inline void add_row_grad(const Tensor& table, const std::vector<std::int64_t>& rows, const Tensor& row_grads) {
  sum(mul(gather_rows(table, rows, {rows.size()}), row_grads)).backward();
}

// Entry `index` along the first axis of a tensor: [S, ...] -> [...].
inline Tensor slice_first(const Tensor& stacked, std::size_t index) {
  const Shape inner(stacked.shape().begin() + 1, stacked.shape().end());
  const std::size_t n = numel(inner);
  const std::vector<double> all = stacked.to_vector();
  return Tensor::from_vector(inner, std::vector<double>(all.begin() + index * n, all.begin() + (index + 1) * n),
                             stacked.dtype());
}

// Rows `row` of a 2-D tensor as a [1, D] tensor.
inline Tensor row_of(const Tensor& matrix, std::size_t row) {
  const std::size_t width = matrix.shape()[1];
  const std::vector<double> all = matrix.to_vector();
  return Tensor::from_vector({1, width}, std::vector<double>(all.begin() + row * width, all.begin() + (row + 1) * width),
                             matrix.dtype());
}

// Same shape, dtype and bytes (so also equal NaN payloads and signed zeros).
inline ::testing::AssertionResult BitwiseEqual(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype())
    return ::testing::AssertionFailure() << "shape/dtype " << to_string(a.shape()) << " " << dtype_name(a.dtype())
                                         << " vs " << to_string(b.shape()) << " " << dtype_name(b.dtype());
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::memcmp(&x[i], &y[i], sizeof(double)) != 0)
      return ::testing::AssertionFailure() << "element " << i << ": " << x[i] << " vs " << y[i];
  return ::testing::AssertionSuccess();
}

// The value of `key` in a state dict; fails the test when absent.
inline Tensor state_entry(const NamedTensors& state, const std::string& key) {
  for (const auto& [name, value] : state)
    if (name == key) return value;
  ADD_FAILURE() << "state has no key '" << key << "'";
  return Tensor();
}

}  // namespace recgrad::testing
