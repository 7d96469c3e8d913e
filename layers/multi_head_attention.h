#pragma once
// Multi-head attention (Vaswani et al., 2017), the same maths as
// torch.nn.MultiheadAttention(embed_dim, num_heads, bias, batch_first=True):
//   Q = query Wqᵀ + bq,  K = keys Wkᵀ + bk,  V = values Wvᵀ + bv      [B, Tq, D], [B, T, D], [B, T, D]
//   split D into h heads of head_dim = D / h                          Q [B, h, Tq, hd], K, V [B, h, T, hd]
//   head_i  = softmax(Q_i K_iᵀ / sqrt(hd)) V_i over unpadded keys     [B, h, Tq, hd]
//   output  = concat(head_1, ..., head_h) Woᵀ + bo                    [B, Tq, D]
// Each head attends in its own subspace, so different heads can pick out different kinds of
// relevance (same category, same brand, recent items, ...). The projections before and after are
// what plain attention over looked-up embeddings lacks.
//
// Three forms: the reference (fused_kernels() false) splits the heads into [B, h, T, hd] copies with
// reshape/permute and multiplies them with matmul, as above; the default runs the fused ops
// head_scores and head_mix (core/ops/attention_heads.cpp), which multiply each head where it lies in
// the [B, T, D] projections, saving two copies of each projection forward and two backward. With
// few queries (target attention, Tq = 1) the default folds instead: Wk and Wv move to the query side,
// scores = (Wk_iᵀ Q_i)·keys and head_i = Wv_i (weights · values), so the T keys and values are never
// projected (B T D² each); it folds when that costs fewer multiply-adds, never for self-attention.
//
// Parameters: q_proj, k_proj, v_proj, out_proj, each a Linear(D, D) ("q_proj.weight" [D, D],
// "q_proj.bias" [D], ...). torch packs the first three into in_proj_weight [3D, D] = [Wq; Wk; Wv]
// (rows 0..D-1, D..2D-1, 2D..3D-1) and in_proj_bias [3D] = [bq; bk; bv]; out_proj is the same.
// Init follows torch: the packed [3D, D] matrix drawn xavier_uniform and split in three, in_proj and
// out_proj biases zero, out_proj weight torch.nn.Linear's default.
//
// Differences from torch, both on purpose:
// - A sample whose keys are all padded (an empty history) gets zero weights and a zero output, where
//   torch gives NaN. (Without this rule the output would be out_proj's bias.)
// - The weights are returned per head, [B, h, Tq, T] (torch's average_attn_weights=False), and there
//   is no dropout on them.
#include <memory>

#include "core/random.h"
#include "layers/attention.h"
#include "layers/linear.h"

namespace recgrad {

struct MultiHeadAttentionOptions {
  bool bias = true;  // biases of all four projections
};

class MultiHeadAttention : public Attention {
 public:
  // Throws std::invalid_argument naming embed_dim and num_heads unless num_heads divides embed_dim.
  MultiHeadAttention(std::size_t embed_dim, std::size_t num_heads, Rng& rng, DType dtype = DType::Float32,
                     MultiHeadAttentionOptions options = {});

  // query [B, Tq, D], keys [B, T, D], values [B, T, D], key_padding_mask [B, T] or undefined.
  // Returns output [B, Tq, D] and weights [B, h, Tq, T].
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) override;

  std::size_t embed_dim() const { return embed_dim_; }
  std::size_t num_heads() const { return num_heads_; }
  std::size_t head_dim() const { return embed_dim_ / num_heads_; }

  std::shared_ptr<Linear> q_proj, k_proj, v_proj, out_proj;

 private:
  std::size_t embed_dim_, num_heads_;
};

}  // namespace recgrad
