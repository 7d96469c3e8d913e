#include "layers/scaled_dot_attention.h"

#include <cmath>

#include "core/ops.h"

namespace recgrad {

AttentionOutput scaled_dot_product_attention(const Tensor& query, const Tensor& keys, const Tensor& values,
                                             const Tensor& key_padding_mask) {
  check_attention_inputs("scaled_dot_product_attention", query, keys, values, key_padding_mask, false);
  const int rank = static_cast<int>(query.dim());
  const double scale = 1.0 / std::sqrt(static_cast<double>(query.size(-1)));
  const Tensor scores = matmul(query, transpose(keys, rank - 2, rank - 1)) * scale;  // [B, ..., Tq, T]
  const Tensor weights = attention_weights(scores, key_padding_mask, /*softmax=*/true);
  return {matmul(weights, values), weights};
}

AttentionOutput ScaledDotProductAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                                   const Tensor& key_padding_mask) {
  return scaled_dot_product_attention(query, keys, values, key_padding_mask);
}

}  // namespace recgrad
