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

// [B, T, D] -> [B, h, T, hd]: head i is columns [i hd, (i+1) hd).
Tensor split_heads(const Tensor& x, std::size_t heads) {
  return permute(reshape(x, {x.size(0), x.size(1), heads, x.size(2) / heads}), {0, 2, 1, 3});
}
// [B, h, T, hd] -> [B, T, D], the heads side by side.
Tensor merge_heads(const Tensor& x) {
  return reshape(permute(x, {0, 2, 1, 3}), {x.size(0), x.size(2), x.size(1) * x.size(3)});
}

// The reference: head_i = softmax(Q_i K_iᵀ / sqrt(hd)) V_i as written, on split copies of the projections.
// q [B, Tq, D], k, v [B, T, D] -> merged heads [B, Tq, D] and weights [B, h, Tq, T].
AttentionOutput reference_heads(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_padding_mask,
                                std::size_t heads) {
  const Tensor Q = split_heads(q, heads), K = split_heads(k, heads), V = split_heads(v, heads);  // [B, h, T, hd]
  const double scale = 1.0 / std::sqrt(static_cast<double>(Q.size(3)));
  const Tensor scores = matmul(Q, transpose(K, 2, 3)) * scale;  // [B, h, Tq, T]
  const Tensor weights = attention_weights(scores, key_padding_mask, /*softmax=*/true);
  return {merge_heads(matmul(weights, V)), weights};
}

// The same with the fused ops, which read head i as columns [i hd, (i+1) hd) of the projections where
// they lie and write the heads merged: no split or merged copies (core/ops/attention_heads.cpp).
AttentionOutput fused_heads(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& key_padding_mask,
                            std::size_t heads) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(2) / heads));
  const Tensor weights = attention_weights(head_scores(q, k, heads, scale), key_padding_mask, /*softmax=*/true);
  return {head_mix(weights, v), weights};
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

AttentionOutput MultiHeadAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                            const Tensor& key_padding_mask) {
  check_attention_inputs("MultiHeadAttention", query, keys, values, key_padding_mask, true);
  if (query.dim() != 3 || query.size(2) != embed_dim_)
    throw std::invalid_argument("MultiHeadAttention: expected query [B, Tq, " + std::to_string(embed_dim_) + "], got " +
                                to_string(query.shape()));
  const Tensor q = q_proj->forward(query);   // [B, Tq, D]
  const Tensor k = k_proj->forward(keys);    // [B, T, D]
  const Tensor v = v_proj->forward(values);  // [B, T, D]
  const AttentionOutput heads = fused_kernels() ? fused_heads(q, k, v, key_padding_mask, num_heads_)
                                                : reference_heads(q, k, v, key_padding_mask, num_heads_);
  Tensor output = out_proj->forward(heads.output);  // [B, Tq, D]
  if (key_padding_mask.defined()) output = zero_empty_histories(output, key_padding_mask);
  return {output, heads.weights};
}

}  // namespace recgrad
