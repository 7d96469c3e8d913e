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

// x repeated along its size-1 axes up to `shape`; the broadcasting add sums the gradient back.
Tensor expand(const Tensor& x, const Shape& shape) {
  return x.shape() == shape ? x : x + Tensor::zeros(shape, x.dtype());
}
}  // namespace

DinAttention::DinAttention(std::size_t dim, Rng& rng, DType dtype, DinAttentionOptions options)
    : dim_(dim), normalize_(options.normalize) {
  if (dim == 0) throw std::invalid_argument("DinAttention: dim must be positive");
  mlp = register_module(
      "mlp", std::make_shared<MLP>(unit_sizes(dim, options.hidden), options.activation, options.dropout, rng, dtype));
}

// The MLP sees only the pairs whose key is real: padding costs nothing, and cannot shift the batch
// statistics of Dice. features [B*Tq*T, 4D] -> scores [B, Tq, T], 0 at padded keys.
Tensor DinAttention::score_unpadded(const Tensor& features, const Tensor& key_padding_mask, std::size_t B,
                                    std::size_t Tq, std::size_t T) {
  const std::vector<double> padded =
      key_padding_mask.defined() ? key_padding_mask.to_vector() : std::vector<double>(B * T, 0.0);
  std::vector<std::int64_t> real;                  // rows of `features` to score
  std::vector<std::int64_t> slot(B * Tq * T);      // each pair's row in the scored table
  for (std::size_t b = 0; b < B; ++b)
    for (std::size_t i = 0; i < Tq; ++i)
      for (std::size_t t = 0; t < T; ++t) {
        const std::size_t pair = (b * Tq + i) * T + t;
        if (padded[b * T + t] != 0) continue;
        slot[pair] = std::int64_t(real.size());
        real.push_back(std::int64_t(pair));
      }
  if (real.empty()) return Tensor::zeros({B, Tq, T}, features.dtype());
  const std::int64_t zero_row = std::int64_t(real.size());
  for (std::size_t pair = 0; pair < slot.size(); ++pair)
    if (padded[(pair / (Tq * T)) * T + pair % T] != 0) slot[pair] = zero_row;
  const Tensor scored = mlp->forward(gather_rows(features, real, {real.size()}));       // [n, 1]
  const Tensor table = concat({scored, Tensor::zeros({1, 1}, features.dtype())}, 0);   // [n + 1, 1]
  return reshape(gather_rows(table, slot, {B * Tq * T}, zero_row), {B, Tq, T});
}

AttentionOutput DinAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                      const Tensor& key_padding_mask) {
  check_attention_inputs("DinAttention", query, keys, values, key_padding_mask, false);
  if (query.dim() != 3 || query.size(2) != dim_)
    throw std::invalid_argument("DinAttention: expected query [B, Tq, " + std::to_string(dim_) + "], got " +
                                to_string(query.shape()));
  const std::size_t B = query.size(0), Tq = query.size(1), T = keys.size(1);
  // Every (query, key) pair: q [B, Tq, 1, D] against k [B, 1, T, D].
  const Tensor q = reshape(query, {B, Tq, 1, dim_});
  const Tensor k = reshape(keys, {B, 1, T, dim_});
  const Shape pairs{B, Tq, T, dim_};
  const Tensor features = concat({expand(q, pairs), expand(k, pairs), q - k, q * k}, -1);  // [B, Tq, T, 4D]
  const Tensor scores = score_unpadded(reshape(features, {B * Tq * T, 4 * dim_}), key_padding_mask, B, Tq, T);
  const Tensor weights = attention_weights(scores, key_padding_mask, normalize_);
  return {matmul(weights, values), weights};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
