#pragma once
// Dot-product (target) attention, as in recommendation: the candidate item asks the behaviour
// history how much each past item matters to it, one weight per key.
//   scores  = q · k_t                                    [B, Tq, T]
//   weights = softmax(scores) over the unpadded keys     (softmax = true)
//           = scores, padded keys set to 0               (softmax = false)
//   output  = Σ_t weights_t v_t                          [B, Tq, Dv]
// Softmax makes the output an average of the values, whatever the history's length. DIN keeps the
// raw weights instead, so the output's size still says how strongly the history as a whole matches
// the candidate (its "intensity of interest"). Both products run as batched matrix multiplications.
#include "layers/attention.h"
#include "layers/module.h"

namespace recgrad {

class DotProductAttention : public Attention {
 public:
  explicit DotProductAttention(bool softmax) : softmax_(softmax) {}

  // query [B, Tq, D], keys [B, T, D], values [B, T, Dv], key_padding_mask [B, T] or undefined.
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) override;

  bool softmax() const { return softmax_; }

 private:
  bool softmax_;
};

}  // namespace recgrad
