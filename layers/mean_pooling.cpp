#include "layers/mean_pooling.h"

#include <algorithm>

#include "core/ops.h"

namespace recgrad {

AttentionOutput MeanPooling::forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                                     const Tensor& key_padding_mask) {
  check_attention_inputs("MeanPooling", query, keys, values, key_padding_mask, false);
  const std::size_t B = values.size(0), Tq = query.size(1), T = values.size(1);
  const std::vector<double> padded =
      key_padding_mask.defined() ? key_padding_mask.to_vector() : std::vector<double>(B * T, 0.0);  // [B, T]
  std::vector<double> weights(B * Tq * T);
  for (std::size_t b = 0; b < B; ++b) {
    double count = 0;
    for (std::size_t t = 0; t < T; ++t) count += padded[b * T + t] == 0;
    for (std::size_t i = 0; i < Tq; ++i)
      for (std::size_t t = 0; t < T; ++t)
        weights[(b * Tq + i) * T + t] = padded[b * T + t] == 0 ? 1.0 / std::max(count, 1.0) : 0.0;
  }
  const Tensor w = Tensor::from_vector({B, Tq, T}, weights, values.dtype());
  return {matmul(w, values), w};  // [B, Tq, T] x [B, T, Dv] -> [B, Tq, Dv]
}

}  // namespace recgrad
