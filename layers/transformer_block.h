#pragma once
// TransformerBlock: one Transformer encoder layer over the behaviour sequence, as in BST (Behavior
// Sequence Transformer, Chen et al., 2019): every history item attends to every other, so each
// item's vector is re-written in the context of the whole sequence. The caller adds position
// embeddings first; self-attention by itself ignores order.
// Post-norm, the same maths as torch.nn.TransformerEncoderLayer(batch_first=True, norm_first=False):
//   a = MultiHeadAttention(x, x, x, key_padding_mask)        [B, T, D]
//   x = LayerNorm1(x + Dropout1(a))
//   f = Linear2(Dropout(activation(Linear1(x))))             [B, T, D] via [B, T, feedforward_dim]
//   y = LayerNorm2(x + Dropout2(f))                          [B, T, D]
// Padded positions are masked as keys, so they never leak into real positions; their own rows of y
// are computed but meaningless (pool with the mask afterwards). An empty history gives finite rows.
// Parameters use torch's names: "self_attn.q_proj.weight", ..., "linear1.weight", "linear2.weight",
// "norm1.weight", "norm2.weight" (torch's self_attn.in_proj_* split as MultiHeadAttention describes).
// Unlike torch, attention weights are not dropped out (only the three dropouts above).
#include <cstdint>
#include <memory>
#include <string>

#include "core/random.h"
#include "layers/activations.h"
#include "layers/dropout.h"
#include "layers/layer_norm.h"
#include "layers/linear.h"
#include "layers/multi_head_attention.h"

namespace recgrad {

struct TransformerBlockOptions {
  std::string activation = "relu";  // of the feed-forward hidden layer, any name make_activation knows
  double dropout = 0.1;             // torch's default
  double layer_norm_eps = 1e-5;
};

class TransformerBlock : public Module {
 public:
  // Throws std::invalid_argument unless num_heads divides embed_dim. Dropout layers are seeded from rng.
  TransformerBlock(std::size_t embed_dim, std::size_t num_heads, std::size_t feedforward_dim, Rng& rng,
                   DType dtype = DType::Float32, TransformerBlockOptions options = {});

  // history [B, T, D] (positions already added), key_padding_mask [B, T] or undefined.
  // Returns output [B, T, D] and the self-attention weights [B, h, T, T].
  // Not const: dropout draws from its own Rng.
  AttentionOutput forward(const Tensor& history, const Tensor& key_padding_mask = Tensor());

  std::shared_ptr<MultiHeadAttention> self_attn;
  std::shared_ptr<Linear> linear1, linear2;
  std::shared_ptr<Activation> activation;
  std::shared_ptr<LayerNorm> norm1, norm2;
  std::shared_ptr<Dropout> dropout, dropout1, dropout2;
};

}  // namespace recgrad
