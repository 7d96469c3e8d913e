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
  const Tensor scores = reshape(mlp->forward(features), {B, Tq, T});
  const Tensor weights = attention_weights(scores, key_padding_mask, normalize_);
  return {matmul(weights, values), weights};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
