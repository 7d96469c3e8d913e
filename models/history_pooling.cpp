#include "models/history_pooling.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

HistoryPooling::HistoryPooling(const AttentionConfig& config, std::size_t dim, Rng& rng, DType dtype)
    : kind_(config.kind) {
  if (kind_ == "dot") {
    dot_ = register_module("attention", std::make_shared<DotProductAttention>(config.softmax));
  } else if (kind_ == "scaled_dot") {
    scaled_dot_ = register_module("attention", std::make_shared<ScaledDotProductAttention>());
  } else if (kind_ == "din") {
    DinAttentionOptions options;
    options.hidden = config.din_hidden;
    options.activation = config.din_activation;
    options.normalize = config.softmax;
    din_ = register_module("attention", std::make_shared<DinAttention>(dim, rng, dtype, options));
  } else if (kind_ == "multi_head") {
    multi_head_ = register_module("attention", std::make_shared<MultiHeadAttention>(dim, config.heads, rng, dtype));
  } else if (kind_ != "mean") {
    throw std::invalid_argument("HistoryPooling: unknown attention kind \"" + kind_ + "\"");
  }
}

AttentionOutput HistoryPooling::forward(const Tensor& target, const Tensor& history, const Tensor& key_padding_mask) {
  if (dot_) return dot_->forward(target, history, history, key_padding_mask);
  if (scaled_dot_) return scaled_dot_->forward(target, history, history, key_padding_mask);
  if (din_) return din_->forward(target, history, history, key_padding_mask);
  if (multi_head_) return multi_head_->forward(target, history, history, key_padding_mask);
  return mean(history, key_padding_mask);
}

// weights_t = keep_t / max(1, Σ keep), output = Σ_t weights_t history_t; an empty history gives 0.
AttentionOutput HistoryPooling::mean(const Tensor& history, const Tensor& key_padding_mask) {
  const std::size_t B = history.size(0), T = history.size(1);
  Tensor keep = 1.0 - reshape(key_padding_mask, {B, 1, T});          // [B, 1, T]
  std::vector<double> counts = sum(keep, {2}, true).to_vector();      // [B, 1, 1]
  for (double& c : counts) c = 1.0 / std::max(c, 1.0);
  Tensor weights = keep * Tensor::from_vector({B, 1, 1}, counts, history.dtype());
  return {matmul(weights, history), weights};                        // [B, 1, D]
}

}  // namespace recgrad
