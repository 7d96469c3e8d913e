#pragma once
// HistoryPooling: turns the behaviour history into one vector for the candidate item, by the
// attention kind the config names. The candidate (target) item is the query; the history items are
// both keys and values (Q = target, K = V = behaviours: walkthrough chapter 2).
//   mean        the average of the unpadded history items; no query (the baseline without attention)
//   dot         weights q · k, softmax on or off
//   scaled_dot  softmax(q · k / sqrt(D))
//   din         the DIN activation unit, raw weights by default
//   multi_head  projections, h heads of scaled dot-product attention, output projection
// target [B, 1, D], history [B, T, D], key_padding_mask [B, T] -> pooled [B, 1, D] and the weights
// ([B, 1, T], or [B, h, 1, T] for multi_head).
#include <memory>

#include "core/random.h"
#include "layers/attention.h"
#include "layers/din_attention.h"
#include "layers/dot_attention.h"
#include "layers/multi_head_attention.h"
#include "layers/scaled_dot_attention.h"
#include "train/config.h"

namespace recgrad {

class HistoryPooling : public Module {
 public:
  HistoryPooling(const AttentionConfig& config, std::size_t dim, Rng& rng, DType dtype);
  AttentionOutput forward(const Tensor& target, const Tensor& history, const Tensor& key_padding_mask);

 private:
  static AttentionOutput mean(const Tensor& history, const Tensor& key_padding_mask);

  std::string kind_;
  std::shared_ptr<DotProductAttention> dot_;
  std::shared_ptr<ScaledDotProductAttention> scaled_dot_;
  std::shared_ptr<DinAttention> din_;
  std::shared_ptr<MultiHeadAttention> multi_head_;
};

}  // namespace recgrad
