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
//
// Every kind derives from Attention and is built by make_attention from AttentionOptions, as the
// activations are by make_activation. A new kind is one new file plus its enum value, its name and
// its line in make_attention (layers/make_attention.cpp; docs/extending.md walks through it).
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/tensor.h"
#include "layers/module.h"

namespace recgrad {

// Every attention forward returns its weights too, so they can be inspected and plotted.
struct AttentionOutput {
  Tensor output;   // [B, Tq, Dv]
  Tensor weights;  // [B, Tq, T], or [B, h, Tq, T] for multi-head attention
};

// query [B, Tq, D], keys [B, T, D], values [B, T, Dv], key_padding_mask [B, T] or undefined.
// Not const: a kind may keep state (DIN's unit has dropout and Dice statistics).
class Attention : public Module {
 public:
  virtual AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                  const Tensor& key_padding_mask) = 0;
};

// The kinds, in the order of attention_kind_names().
enum class AttentionKind { Mean, Dot, ScaledDot, Din, MultiHead, Additive };

const std::vector<std::string>& attention_kind_names();  // "mean", "dot", "scaled_dot", "din", "multi_head", "additive"
AttentionKind parse_attention_kind(const std::string& name);  // throws naming the valid names
const std::string& attention_kind_name(AttentionKind kind);

// The settings of every kind, named as the config's keys (model.attention.*); these are the defaults.
struct AttentionOptions {
  AttentionKind kind = AttentionKind::MultiHead;
  bool softmax = true;                            // dot, din: softmax over the unpadded keys, else raw scores
  std::size_t heads = 4;                          // multi_head
  std::vector<std::size_t> din_hidden = {80, 40};  // din: the activation unit's hidden sizes
  std::string din_activation = "dice";            // din: any name make_activation knows
};

// dim: D, the size of the query and key vectors.
std::shared_ptr<Attention> make_attention(const AttentionOptions& options, std::size_t dim, Rng& rng,
                                          DType dtype = DType::Float32);

// Throws std::invalid_argument naming `layer` and the shapes unless query [B, ..., Tq, D],
// keys [B, ..., T, D], values [B, ..., T, Dv] (same rank, at least 3, same leading axes) and
// key_padding_mask (if defined) [B, T] fit together. The axes between B and Tq are the heads of
// multi-head attention. Dv must equal D when `values_dim_must_match`.
void check_attention_inputs(const std::string& layer, const Tensor& query, const Tensor& keys, const Tensor& values,
                            const Tensor& key_padding_mask, bool values_dim_must_match);

// Attention weights from scores [B, ..., T] (key axis last) and a [B, T] key_padding_mask (may be
// undefined): softmax over the unpadded keys when `softmax`, else the raw scores with padded keys
// multiplied by 0. Either way padded keys weigh exactly 0 and an all-padded row is all zeros.
Tensor attention_weights(const Tensor& scores, const Tensor& key_padding_mask, bool softmax);

}  // namespace recgrad
