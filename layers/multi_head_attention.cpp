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

// Target attention with Wk and Wv moved to the query side, so the keys and values are never projected.
// For head i (rows [i hd, (i+1) hd) of Wk, Wv) and q_i its slice of q:
//   score_i[t] = scale q_i·(Wk_i keys[t] + bk_i) = scale (Wk_iᵀ q_i)·keys[t] + scale q_i·bk_i
//   head_i     = Σ_t w_i[t] (Wv_i values[t] + bv_i) = Wv_i (Σ_t w_i[t] values[t]) + (Σ_t w_i[t]) bv_i
// q_i·bk_i is the same for every t (softmax cancels it) and Σ_t w_i[t] is 1, or 0 for an empty history;
// both are kept so that the values and every gradient (bk's is zero) equal the projected form's.
// q [B, Tq, D], keys, values [B, T, D] -> merged heads [B, Tq, D] and weights [B, h, Tq, T].
AttentionOutput folded_heads(const Tensor& q, const Tensor& keys, const Tensor& values, const Linear& k_proj,
                             const Linear& v_proj, const Tensor& key_padding_mask, std::size_t heads) {
  const std::size_t B = q.size(0), Tq = q.size(1), D = q.size(2), T = keys.size(1), hd = D / heads;
  const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
  // u_i = Wk_iᵀ q_i: one [B Tq, hd] x [hd, D] gemm per head, then the rows of each sample together.
  const Tensor q_by_head = permute(reshape(q, {B * Tq, heads, hd}), {1, 0, 2});           // [h, B Tq, hd]
  const Tensor u = matmul(q_by_head, reshape(k_proj.weight, {heads, hd, D}));             // [h, B Tq, D]
  const Tensor u_rows = reshape(permute(reshape(u, {heads, B, Tq, D}), {1, 0, 2, 3}), {B, heads * Tq, D});
  // All heads' scores of a sample in one [h Tq, D] x [D, T] gemm: head_scores with a single head.
  Tensor scores = reshape(head_scores(u_rows, keys, 1, scale), {B, heads, Tq, T});
  if (k_proj.bias.defined()) {
    const Tensor q_bk = matmul(q_by_head, reshape(k_proj.bias, {heads, hd, 1}));  // [h, B Tq, 1]
    scores = scores + reshape(permute(reshape(q_bk, {heads, B, Tq}), {1, 0, 2}), {B, heads, Tq, 1}) * scale;
  }
  const Tensor weights = attention_weights(scores, key_padding_mask, /*softmax=*/true);  // [B, h, Tq, T]
  // z_i = Σ_t w_i[t] values[t]: one [h Tq, T] x [T, D] gemm per sample, then head_i = Wv_i z_i per head.
  const Tensor z = head_mix(reshape(weights, {B, 1, heads * Tq, T}), values);  // [B, h Tq, D]
  const Tensor z_by_head = reshape(permute(reshape(z, {B, heads, Tq, D}), {1, 0, 2, 3}), {heads, B * Tq, D});
  const Tensor wv_t = transpose(reshape(v_proj.weight, {heads, hd, D}), 1, 2);  // [h, D, hd]
  Tensor mixed = matmul(z_by_head, wv_t);                                       // [h, B Tq, hd]
  if (v_proj.bias.defined()) {
    const Tensor mass = reshape(permute(sum(weights, {3}), {1, 0, 2}), {heads, B * Tq, 1});  // Σ_t w_i[t]
    mixed = mixed + matmul(mass, reshape(v_proj.bias, {heads, 1, hd}));
  }
  return {reshape(permute(mixed, {1, 0, 2}), {B, Tq, D}), weights};
}

// Whether folding (folded_heads) costs fewer multiply-adds per sample than projecting the keys and
// values. Projecting: T D² each for k and v, Tq T D each for the scores and the mix. Folding: Tq D²
// each for u = Wkᵀ q and Wv z, h Tq T D each for the scores and the mix. So fold when
// Tq D + h Tq T < T D + Tq T: target attention (Tq = 1) whenever T > h (as D >= h), self-attention
// (Tq = T) never (h T² < T² has no solution).
bool folding_pays(std::size_t query_len, std::size_t key_len, std::size_t dim, std::size_t heads) {
  return query_len * dim + heads * query_len * key_len < key_len * dim + query_len * key_len;
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
  const Tensor q = q_proj->forward(query);  // [B, Tq, D]
  AttentionOutput heads;
  if (fused_kernels() && folding_pays(query.size(1), keys.size(1), embed_dim_, num_heads_)) {
    heads = folded_heads(q, keys, values, *k_proj, *v_proj, key_padding_mask, num_heads_);
  } else {
    const Tensor k = k_proj->forward(keys);    // [B, T, D]
    const Tensor v = v_proj->forward(values);  // [B, T, D]
    heads = fused_kernels() ? fused_heads(q, k, v, key_padding_mask, num_heads_)
                            : reference_heads(q, k, v, key_padding_mask, num_heads_);
  }
  Tensor output = out_proj->forward(heads.output);  // [B, Tq, D]
  if (key_padding_mask.defined()) output = zero_empty_histories(output, key_padding_mask);
  return {output, heads.weights};
}

}  // namespace recgrad
