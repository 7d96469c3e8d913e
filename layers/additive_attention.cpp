#include "layers/additive_attention.h"

#include <cmath>

#include "core/ops.h"

namespace recgrad {

AdditiveAttention::AdditiveAttention(std::size_t dim, Rng& rng, DType dtype) {
  query_proj = register_module("query_proj", std::make_shared<Linear>(dim, dim, rng, dtype, LinearOptions{false}));
  key_proj = register_module("key_proj", std::make_shared<Linear>(dim, dim, rng, dtype));  // its bias is b
  const double bound = 1.0 / std::sqrt(double(dim));  // torch.nn.Linear's init for a [1, H] weight
  v = register_parameter("v", Tensor::uniform({dim, 1}, -bound, bound, rng, dtype));
}

AttentionOutput AdditiveAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                           const Tensor& key_padding_mask) {
  check_attention_inputs("AdditiveAttention", query, keys, values, key_padding_mask, false);
  const std::size_t B = query.size(0), Tq = query.size(1), T = keys.size(1), H = v.size(0);
  const Tensor q = reshape(query_proj->forward(query), {B, Tq, 1, H});  // W_q q      [B, Tq, 1, H]
  const Tensor k = reshape(key_proj->forward(keys), {B, 1, T, H});      // W_k k + b  [B, 1, T, H]
  const Tensor scores = reshape(matmul(tanh(q + k), v), {B, Tq, T});    // [B, Tq, T, H] x [H, 1]
  const Tensor weights = attention_weights(scores, key_padding_mask, /*softmax=*/true);
  return {matmul(weights, values), weights};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
