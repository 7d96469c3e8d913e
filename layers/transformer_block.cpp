#include "layers/transformer_block.h"

#include "core/ops.h"

namespace recgrad {

TransformerBlock::TransformerBlock(std::size_t embed_dim, std::size_t num_heads, std::size_t feedforward_dim, Rng& rng,
                                   DType dtype, TransformerBlockOptions options) {
  const LayerNormOptions norm{options.layer_norm_eps};
  self_attn = register_module("self_attn", std::make_shared<MultiHeadAttention>(embed_dim, num_heads, rng, dtype));
  linear1 = register_module("linear1", std::make_shared<Linear>(embed_dim, feedforward_dim, rng, dtype));
  activation = register_module("activation", make_activation(options.activation, feedforward_dim, dtype));
  linear2 = register_module("linear2", std::make_shared<Linear>(feedforward_dim, embed_dim, rng, dtype));
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(embed_dim, dtype, norm));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(embed_dim, dtype, norm));
  dropout = register_module("dropout", std::make_shared<Dropout>(options.dropout, rng.next()));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(options.dropout, rng.next()));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(options.dropout, rng.next()));
}

AttentionOutput TransformerBlock::forward(const Tensor& history, const Tensor& key_padding_mask) {
  const AttentionOutput attended = self_attn->forward(history, history, history, key_padding_mask);
  const Tensor x = norm1->forward(history + dropout1->forward(attended.output));     // [B, T, D]
  const Tensor hidden = dropout->forward(activation->forward(linear1->forward(x)));  // [B, T, feedforward_dim]
  const Tensor y = norm2->forward(x + dropout2->forward(linear2->forward(hidden)));  // [B, T, D]
  return {y, attended.weights};
}

}  // namespace recgrad
