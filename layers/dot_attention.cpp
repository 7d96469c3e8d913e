#include "layers/dot_attention.h"

#include "core/ops.h"

namespace recgrad {

AttentionOutput DotProductAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                             const Tensor& key_padding_mask) {
  check_attention_inputs("DotProductAttention", query, keys, values, key_padding_mask, false);
  const int rank = static_cast<int>(query.dim());
  const Tensor scores = matmul(query, transpose(keys, rank - 2, rank - 1));  // [B, Tq, D] x [B, D, T] -> [B, Tq, T]
  const Tensor weights = attention_weights(scores, key_padding_mask, softmax_);
  return {matmul(weights, values), weights};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
