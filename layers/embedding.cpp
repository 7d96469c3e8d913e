#include "layers/embedding.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

Embedding::Embedding(std::size_t num_embeddings, std::size_t dim, Rng& rng, DType dtype, std::int64_t padding_idx,
                     const init::EmbeddingInit& table_init)
    : padding_idx_(padding_idx) {
  if (num_embeddings == 0 || dim == 0)
    throw std::invalid_argument("Embedding: num_embeddings and dim must be positive, got " +
                                std::to_string(num_embeddings) + " and " + std::to_string(dim));
  if (padding_idx < -1 || padding_idx >= static_cast<std::int64_t>(num_embeddings))
    throw std::invalid_argument("Embedding: padding_idx " + std::to_string(padding_idx) + " is not -1 or a row of " +
                                std::to_string(num_embeddings));
  Tensor table = init::embedding_table(num_embeddings, dim, table_init, rng, dtype);
  if (padding_idx >= 0)
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      std::fill_n(table.mutable_data<T>() + padding_idx * std::int64_t(dim), dim, T(0));
    });
  weight = register_parameter("weight", table);
}

Tensor Embedding::forward(const std::vector<std::int64_t>& indices, const Shape& index_shape) const {
  return gather_rows(weight, indices, index_shape, padding_idx_);
}

}  // namespace recgrad
