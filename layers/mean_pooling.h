#pragma once
// Mean pooling as an attention kind: the average of the unpadded values, whatever the query (the
// baseline without attention, model.attention.kind "mean").
//   weights_t = keep_t / max(1, Σ_t keep_t)      keep = 1 - key_padding_mask     [B, Tq, T]
//   output    = Σ_t weights_t v_t                                               [B, Tq, Dv]
// An empty history gives zero weights and a zero output. No parameters.
#include "layers/attention.h"

namespace recgrad {

class MeanPooling : public Attention {
 public:
  // query [B, Tq, D] gives only the shape of the output; keys [B, T, D] only the checks.
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) override;
};

}  // namespace recgrad
