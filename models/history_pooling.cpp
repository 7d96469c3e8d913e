#include "models/history_pooling.h"

namespace recgrad {

HistoryPooling::HistoryPooling(const AttentionOptions& options, std::size_t dim, Rng& rng, DType dtype)
    : attention_(register_module("attention", make_attention(options, dim, rng, dtype))) {}

AttentionOutput HistoryPooling::forward(const Tensor& target, const Tensor& history, const Tensor& key_padding_mask) {
  return attention_->forward(target, history, history, key_padding_mask);
}

}  // namespace recgrad
