#pragma once
// The attention family: what every attention layer takes and returns.
//
// In recommendation the query is the candidate item we score (Tq = 1), or the history itself for
// self-attention (Tq = T); the keys and the values are the user's behaviour items:
//   query            [B, Tq, D]
//   keys             [B, T, D]
//   values           [B, T, Dv]   (Dv = D for every layer except the plain dot-product ones)
//   key_padding_mask [B, T]       optional, 1 = padded key to leave out (as PyTorch); build it
//                                 with padding_mask(lengths, T) for right-padded histories.
// A padded key gets weight exactly 0. An all-padded (empty) history is normal for a new user: it
// gives zero weights and a zero output, never NaN (PyTorch's MultiheadAttention gives NaN there).
#include <string>

#include "core/tensor.h"

namespace recgrad {

// Every attention forward returns its weights too, so they can be inspected and plotted.
struct AttentionOutput {
  Tensor output;   // [B, Tq, Dv]
  Tensor weights;  // [B, Tq, T], or [B, h, Tq, T] for multi-head attention
};

// Throws std::invalid_argument naming `layer` and the shapes unless query [B, ..., Tq, D],
// keys [B, ..., T, D], values [B, ..., T, Dv] (same rank, at least 3, same leading axes) and
// key_padding_mask (if defined) [B, T] fit together. The axes between B and Tq are the heads of
// multi-head attention. Dv must equal D when `values_dim_must_match`.
void check_attention_inputs(const std::string& layer, const Tensor& query, const Tensor& keys, const Tensor& values,
                            const Tensor& key_padding_mask, bool values_dim_must_match);

// Attention weights from scores [B, ..., T] (key axis last) and a [B, T] key_padding_mask (may be
// undefined): softmax over the unpadded keys when `normalize`, else the raw scores with padded keys
// multiplied by 0. Either way padded keys weigh exactly 0 and an all-padded row is all zeros.
Tensor attention_weights(const Tensor& scores, const Tensor& key_padding_mask, bool normalize);

}  // namespace recgrad
