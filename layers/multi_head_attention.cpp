#include "layers/multi_head_attention.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "core/ops.h"
#include "layers/init.h"

namespace recgrad {

namespace {
std::size_t checked_num_heads(std::size_t embed_dim, std::size_t num_heads) {
  if (num_heads == 0 || embed_dim % num_heads != 0)
    throw std::invalid_argument("MultiHeadAttention: embed_dim " + std::to_string(embed_dim) +
                                " is not divisible by num_heads " + std::to_string(num_heads) +
                                " (each head gets embed_dim / num_heads dimensions)");
  return num_heads;
}

// output [B, Tq, D] times 0 for samples whose keys are all padded, so an empty history gives zeros
// rather than out_proj's bias.
Tensor zero_empty_histories(const Tensor& output, const Tensor& key_padding_mask) {
  const std::size_t batch = key_padding_mask.size(0), length = key_padding_mask.size(1);
  const std::vector<double> mask = key_padding_mask.to_vector();
  std::vector<double> has_keys(batch, 0.0);  // [B, 1, 1] below
  bool any_empty = false;
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t t = 0; t < length; ++t)
      if (mask[b * length + t] == 0.0) has_keys[b] = 1.0;
    any_empty = any_empty || has_keys[b] == 0.0;
  }
  if (!any_empty) return output;
  return output * Tensor::from_vector({batch, 1, 1}, has_keys, output.dtype());
}
}  // namespace

MultiHeadAttention::MultiHeadAttention(std::size_t embed_dim, std::size_t num_heads, Rng& rng, DType dtype,
                                       MultiHeadAttentionOptions options)
    : embed_dim_(embed_dim), num_heads_(checked_num_heads(embed_dim, num_heads)) {
  const LinearOptions linear{options.bias};
  q_proj = register_module("q_proj", std::make_shared<Linear>(embed_dim, embed_dim, rng, dtype, linear));
  k_proj = register_module("k_proj", std::make_shared<Linear>(embed_dim, embed_dim, rng, dtype, linear));
  v_proj = register_module("v_proj", std::make_shared<Linear>(embed_dim, embed_dim, rng, dtype, linear));
  out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, rng, dtype, linear));

  // torch's init: xavier_uniform over the packed [3D, D] in_proj_weight (so fan_out is 3D), zero biases.
  NoGradGuard no_grad;
  const Tensor in_proj_weight = init::xavier_uniform({3 * embed_dim, embed_dim}, rng, dtype);
  const std::shared_ptr<Linear> in_proj[] = {q_proj, k_proj, v_proj};
  for (std::size_t i = 0; i < 3; ++i) {
    in_proj[i]->weight.copy_from(slice(in_proj_weight, 0, i * embed_dim, (i + 1) * embed_dim));
    if (options.bias) in_proj[i]->bias.copy_from(Tensor::zeros({embed_dim}, dtype));
  }
  if (options.bias) out_proj->bias.copy_from(Tensor::zeros({embed_dim}, dtype));
}

// The heads are never split into [B, h, T, hd] copies: head_scores and head_mix (core/ops.h) read
// head i as columns [i hd, (i+1) hd) of the projections, and head_mix writes the heads merged.
AttentionOutput MultiHeadAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                            const Tensor& key_padding_mask) const {
  check_attention_inputs("MultiHeadAttention", query, keys, values, key_padding_mask, true);
  if (query.dim() != 3 || query.size(2) != embed_dim_)
    throw std::invalid_argument("MultiHeadAttention: expected query [B, Tq, " + std::to_string(embed_dim_) + "], got " +
                                to_string(query.shape()));
  const Tensor q = q_proj->forward(query);   // [B, Tq, D]
  const Tensor k = k_proj->forward(keys);    // [B, T, D]
  const Tensor v = v_proj->forward(values);  // [B, T, D]
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim()));
  const Tensor scores = head_scores(q, k, num_heads_, scale);                             // [B, h, Tq, T]
  const Tensor weights = attention_weights(scores, key_padding_mask, /*normalize=*/true);  // [B, h, Tq, T]
  Tensor output = out_proj->forward(head_mix(weights, v));                                // [B, Tq, D]
  if (key_padding_mask.defined()) output = zero_empty_histories(output, key_padding_mask);
  return {output, weights};
}

}  // namespace recgrad
