#include "layers/embedding.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

namespace {
Tensor normal_with_zero_row(std::size_t rows, std::size_t dim, std::int64_t zero_row, Rng& rng, DType dtype) {
  std::vector<double> values(rows * dim);
  for (double& v : values) v = rng.normal();
  if (zero_row >= 0) std::fill_n(values.begin() + zero_row * dim, dim, 0.0);
  return Tensor::from_vector({rows, dim}, values, dtype);
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
