#pragma once
// Scaled dot-product attention ("Attention Is All You Need"):
//   weights = softmax(q kᵀ / sqrt(d_k))   over the unpadded keys      [B, ..., Tq, T]
//   output  = weights v                                              [B, ..., Tq, Dv]
// Dot products of d_k-dimensional vectors grow like sqrt(d_k); unscaled, large scores push softmax
// into a corner where its gradient almost vanishes. Dividing by sqrt(d_k) keeps them near unit size.
// It runs as two batched matrix products, which is why it is preferred to additive attention of
// the same theoretical cost.
#include "layers/attention.h"
#include "layers/module.h"

namespace recgrad {

// The function itself, for any leading axes: query [B, ..., Tq, d_k], keys [B, ..., T, d_k],
// values [B, ..., T, Dv], key_padding_mask [B, T] or undefined. Multi-head attention calls it with
// the heads as the second axis ([B, h, Tq, head_dim]).
AttentionOutput scaled_dot_product_attention(const Tensor& query, const Tensor& keys, const Tensor& values,
                                             const Tensor& key_padding_mask = Tensor());

// The same as a layer without parameters, for models that compose modules.
class ScaledDotProductAttention : public Attention {
 public:
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) override;
};

}  // namespace recgrad
