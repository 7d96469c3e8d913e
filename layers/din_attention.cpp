#include "layers/din_attention.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

namespace {
std::vector<std::size_t> unit_sizes(std::size_t dim, const std::vector<std::size_t>& hidden) {
  std::vector<std::size_t> sizes{4 * dim};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(1);
  return sizes;
}

// The pairs whose key is real, as rows of query [B*Tq, D] and keys [B*T, D], and where each of the
// B*Tq*T scores is read from: its pair's row of the scored pairs, or row count() (a zero) if padded.
struct RealPairs {
  std::vector<std::int64_t> query_rows, key_rows, slot;
  std::size_t count() const { return query_rows.size(); }
};

RealPairs real_pairs(const Tensor& key_padding_mask, std::size_t B, std::size_t Tq, std::size_t T) {
  const std::vector<double> padded =
      key_padding_mask.defined() ? key_padding_mask.to_vector() : std::vector<double>(B * T, 0.0);
  // Each vector at its final size at once: growing them step by step cost a dozen mallocs a batch.
  const std::size_t n = Tq * std::size_t(std::count(padded.begin(), padded.end(), 0.0));
  RealPairs pairs;
  pairs.query_rows.reserve(n);
  pairs.key_rows.reserve(n);
  pairs.slot.reserve(B * Tq * T);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < Tq; ++i)
      for (std::size_t t = 0; t < T; ++t) {
        const bool real = padded[b * T + t] == 0;
        pairs.slot.push_back(std::int64_t(real ? pairs.count() : n));
        if (!real) continue;
        pairs.query_rows.push_back(std::int64_t(b * Tq + i));
        pairs.key_rows.push_back(std::int64_t(b * T + t));
      }
  return pairs;
}

// The reference: each real pair's features [q, k, q - k, q * k] through the whole MLP.
// q [B*Tq, D], k [B*T, D] -> [n, 1] for the n real pairs.
Tensor score_pairs(MLP& mlp, const Tensor& q, const Tensor& k, const RealPairs& pairs) {
  const std::size_t n = pairs.count();
  const Tensor query = gather_rows(q, pairs.query_rows, {n}), key = gather_rows(k, pairs.key_rows, {n});  // [n, D]
  return mlp.forward(concat({query, key, query - key, query * key}, -1));  // [n, 4D] -> [n, 1]
}

// The same with the first layer factored (core/ops/din_pair_linear.cpp): its q part once per query
// row, and no [n, 4D] features built.
Tensor score_pairs_factored(MLP& mlp, const Tensor& q, const Tensor& k, const RealPairs& pairs) {
  const Linear& first = mlp.first_layer();
  return mlp.forward_after_first(din_pair_linear(q, k, pairs.query_rows, pairs.key_rows, first.weight, first.bias));
}
}  // namespace

DinAttention::DinAttention(std::size_t dim, Rng& rng, DType dtype, const AttentionOptions& options)
    : dim_(dim), softmax_(options.softmax) {
  if (dim == 0) throw std::invalid_argument("DinAttention: dim must be positive");
  mlp = register_module(
      "mlp", std::make_shared<MLP>(unit_sizes(dim, options.din_hidden), options.din_activation, 0.0, rng, dtype));
}

// The unit sees only the pairs whose key is real: padding costs nothing, and cannot shift the batch
// statistics of Dice. query [B, Tq, D], keys [B, T, D] -> scores [B, Tq, T], 0 at padded keys.
Tensor DinAttention::score_unpadded(const Tensor& query, const Tensor& keys, const Tensor& key_padding_mask) {
  const std::size_t B = query.size(0), Tq = query.size(1), T = keys.size(1);
  const RealPairs pairs = real_pairs(key_padding_mask, B, Tq, T);
  const std::size_t n = pairs.count();
  if (n == 0) return Tensor::zeros({B, Tq, T}, query.dtype());
  const Tensor q = reshape(query, {B * Tq, dim_}), k = reshape(keys, {B * T, dim_});
  const Tensor scored = fused_kernels() ? score_pairs_factored(*mlp, q, k, pairs) : score_pairs(*mlp, q, k, pairs);
  const Tensor table = concat({scored, Tensor::zeros({1, 1}, query.dtype())}, 0);  // [n + 1, 1]
  return reshape(gather_rows(table, pairs.slot, {B * Tq * T}, std::int64_t(n)), {B, Tq, T});
}

AttentionOutput DinAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                      const Tensor& key_padding_mask) {
  check_attention_inputs("DinAttention", query, keys, values, key_padding_mask, false);
  if (query.dim() != 3 || query.size(2) != dim_)
    throw std::invalid_argument("DinAttention: expected query [B, Tq, " + std::to_string(dim_) + "], got " +
                                to_string(query.shape()));
  const Tensor scores = score_unpadded(query, keys, key_padding_mask);  // [B, Tq, T]
  const Tensor weights = attention_weights(scores, key_padding_mask, softmax_);
  return {matmul(weights, values), weights};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
