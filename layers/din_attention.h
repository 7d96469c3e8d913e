#pragma once
// DIN attention (the "local activation unit" of Deep Interest Network, Zhou et al., 2018): a small
// MLP scores how relevant each behaviour item is to the candidate, from the pair itself, so the
// score can learn interactions that a dot product cannot express.
//   features = concat[q, k_t, q - k_t, q * k_t]                     [B, Tq, T, 4D]
//   scores   = MLP(features): 4D -> hidden... -> 1                  [B, Tq, T]
// Two forms: the reference (fused_kernels() false) builds the features above and runs the whole MLP
// on them; the default computes the MLP's first layer factored (core/ops/din_pair_linear.cpp), its q
// part once per query instead of once per history position and without the [.., 4D] features.
//   weights  = softmax(scores) over unpadded keys (softmax = true)
//            = scores, padded keys set to 0     (softmax = false)
//   output   = Σ_t weights_t v_t                                    [B, Tq, Dv]
// The paper keeps the raw weights (no softmax) so that the output's size reflects the intensity of
// the user's interest in the candidate; softmax is there for comparison.
//
// Settings (AttentionOptions): softmax, din_hidden (the MLP's hidden sizes) and din_activation (any
// name make_activation knows); the DIN authors' code uses hidden {80, 40} with sigmoid and no softmax.
// Unlike the authors' code, padded history positions never reach the MLP: they would cost as much as
// real ones, and Dice's batch statistics would depend on how much padding a batch holds.
// Parameters: "mlp.layers.<i>.weight", "mlp.layers.<i>.bias" (and the activations' own).
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/attention.h"
#include "layers/mlp.h"

namespace recgrad {

class DinAttention : public Attention {
 public:
  // dim: D, the size of the query and key vectors; options: softmax, din_hidden, din_activation.
  DinAttention(std::size_t dim, Rng& rng, DType dtype = DType::Float32, const AttentionOptions& options = {});

  // query [B, Tq, D] (Tq = 1 for the candidate item), keys [B, T, D], values [B, T, Dv],
  // key_padding_mask [B, T] or undefined. Not const: the MLP's dropout and Dice keep state.
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) override;

  std::shared_ptr<MLP> mlp;

 private:
  Tensor score_unpadded(const Tensor& query, const Tensor& keys, const Tensor& key_padding_mask);

  std::size_t dim_;
  bool softmax_;
};

}  // namespace recgrad
