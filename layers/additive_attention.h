#pragma once
// Additive attention (Bahdanau et al., 2015): a one-layer network scores each key for the query,
// where dot-product attention multiplies them.
//   scores_t = vᵀ tanh(W_q q + W_k k_t + b)              [B, Tq, T]   (hidden size H = D)
//   weights  = softmax(scores) over the unpadded keys    [B, Tq, T]
//   output   = Σ_t weights_t v_t                         [B, Tq, Dv]
// It can score pairs a dot product cannot (tanh mixes q and k before the sum), at the cost of a
// [B, Tq, T, H] hidden tensor where dot-product attention needs none.
// Parameters: "query_proj.weight" W_q [H, D], "key_proj.weight" W_k [H, D], "key_proj.bias" b [H],
// "v" [H, 1].
#include <memory>

#include "layers/attention.h"
#include "layers/linear.h"

namespace recgrad {

class AdditiveAttention : public Attention {
 public:
  AdditiveAttention(std::size_t dim, Rng& rng, DType dtype = DType::Float32);

  // query [B, Tq, D], keys [B, T, D], values [B, T, Dv], key_padding_mask [B, T] or undefined.
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) override;

  std::shared_ptr<Linear> query_proj, key_proj;
  Tensor v;
};

}  // namespace recgrad
