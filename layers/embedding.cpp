#include "layers/embedding.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

namespace {
// N(0, 1) values drawn straight into the table (no double-precision staging copy: for a 1e6-row
// table that copy would double the peak memory of building the model), then the zero row.
Tensor normal_with_zero_row(std::size_t rows, std::size_t dim, std::int64_t zero_row, Rng& rng, DType dtype) {
  Tensor table = Tensor::randn({rows, dim}, rng, dtype);
  if (zero_row >= 0)
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      std::fill_n(table.mutable_data<T>() + zero_row * dim, dim, T(0));
    });
  return table;
}
}  // namespace

Embedding::Embedding(std::size_t num_embeddings, std::size_t dim, Rng& rng, DType dtype, std::int64_t padding_idx)
    : padding_idx_(padding_idx) {
  if (num_embeddings == 0 || dim == 0)
    throw std::invalid_argument("Embedding: num_embeddings and dim must be positive, got " +
                                std::to_string(num_embeddings) + " and " + std::to_string(dim));
  if (padding_idx < -1 || padding_idx >= static_cast<std::int64_t>(num_embeddings))
    throw std::invalid_argument("Embedding: padding_idx " + std::to_string(padding_idx) + " is not -1 or a row of " +
                                std::to_string(num_embeddings));
  weight = register_parameter("weight", normal_with_zero_row(num_embeddings, dim, padding_idx, rng, dtype));
}

Tensor Embedding::forward(const std::vector<std::int64_t>& indices, const Shape& index_shape) const {
  return gather_rows(weight, indices, index_shape, padding_idx_);
}

}  // namespace recgrad
