#include "layers/din_attention.h"

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

// The paper's unit input for each pair: q, k [P, D] -> [P, 4D].
Tensor pair_features(const Tensor& q, const Tensor& k) { return concat({q, k, q - k, q * k}, -1); }
}  // namespace

DinAttention::DinAttention(std::size_t dim, Rng& rng, DType dtype, DinAttentionOptions options)
    : dim_(dim), normalize_(options.normalize), factored_(options.factored_first_layer) {
  if (dim == 0) throw std::invalid_argument("DinAttention: dim must be positive");
  mlp = register_module(
      "mlp", std::make_shared<MLP>(unit_sizes(dim, options.hidden), options.activation, options.dropout, rng, dtype));
}

// The unit sees only the pairs whose key is real: padding costs nothing, and cannot shift the batch
// statistics of Dice. query [B, Tq, D], keys [B, T, D] -> scores [B, Tq, T], 0 at padded keys.
Tensor DinAttention::score_unpadded(const Tensor& query, const Tensor& keys, const Tensor& key_padding_mask) {
  const std::size_t B = query.size(0), Tq = query.size(1), T = keys.size(1);
  const std::vector<double> padded =
      key_padding_mask.defined() ? key_padding_mask.to_vector() : std::vector<double>(B * T, 0.0);
  // The real pairs as rows of query [B*Tq, D] and keys [B*T, D], and each pair's row in the scored
  // table (-1 until padded pairs are pointed at its zero row).
  std::vector<std::int64_t> query_rows, key_rows, slot(B * Tq * T, -1);
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < Tq; ++i)
      for (std::size_t t = 0; t < T; ++t) {
        if (padded[b * T + t] != 0) continue;
        slot[(b * Tq + i) * T + t] = std::int64_t(query_rows.size());
        query_rows.push_back(std::int64_t(b * Tq + i));
        key_rows.push_back(std::int64_t(b * T + t));
      }
  const std::size_t n = query_rows.size();
  if (n == 0) return Tensor::zeros({B, Tq, T}, query.dtype());
  const std::int64_t zero_row = std::int64_t(n);
  for (std::int64_t& s : slot)
    if (s < 0) s = zero_row;

  const Tensor q = reshape(query, {B * Tq, dim_}), k = reshape(keys, {B * T, dim_});
  const Linear& first = mlp->first_layer();
  const Tensor scored =  // [n, 1]
      factored_ ? mlp->forward_after_first(din_pair_linear(q, k, query_rows, key_rows, first.weight, first.bias))
                : mlp->forward(pair_features(gather_rows(q, query_rows, {n}), gather_rows(k, key_rows, {n})));
  const Tensor table = concat({scored, Tensor::zeros({1, 1}, query.dtype())}, 0);  // [n + 1, 1]
  return reshape(gather_rows(table, slot, {B * Tq * T}, zero_row), {B, Tq, T});
}

AttentionOutput DinAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                      const Tensor& key_padding_mask) {
  check_attention_inputs("DinAttention", query, keys, values, key_padding_mask, false);
  if (query.dim() != 3 || query.size(2) != dim_)
    throw std::invalid_argument("DinAttention: expected query [B, Tq, " + std::to_string(dim_) + "], got " +
                                to_string(query.shape()));
  const Tensor scores = score_unpadded(query, keys, key_padding_mask);  // [B, Tq, T]
  const Tensor weights = attention_weights(scores, key_padding_mask, normalize_);
  return {matmul(weights, values), weights};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
