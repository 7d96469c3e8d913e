#pragma once
// HistoryPooling: turns the behaviour history into one vector for the candidate item, by the
// attention kind the options name (make_attention, layers/attention.h). The candidate (target) item
// is the query; the history items are both keys and values (Q = target, K = V = behaviours:
// walkthrough chapter 2).
//   mean        the average of the unpadded history items; no query (the baseline without attention)
//   dot         weights q · k, softmax on or off
//   scaled_dot  softmax(q · k / sqrt(D))
//   din         the DIN activation unit, softmax on or off
//   multi_head  projections, h heads of scaled dot-product attention, output projection
//   additive    vᵀ tanh(W_q q + W_k k + b), softmax
// target [B, 1, D], history [B, T, D], key_padding_mask [B, T] -> pooled [B, 1, D] and the weights
// ([B, 1, T], or [B, h, 1, T] for multi_head). Parameters: "attention.*", the kind's own.
#include <memory>

#include "core/random.h"
#include "layers/attention.h"

namespace recgrad {

class HistoryPooling : public Module {
 public:
  HistoryPooling(const AttentionOptions& options, std::size_t dim, Rng& rng, DType dtype);
  AttentionOutput forward(const Tensor& target, const Tensor& history, const Tensor& key_padding_mask);

 private:
  std::shared_ptr<Attention> attention_;
};

}  // namespace recgrad
