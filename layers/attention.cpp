#include "layers/attention.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

void check_attention_inputs(const std::string& layer, const Tensor& query, const Tensor& keys, const Tensor& values,
                            const Tensor& key_padding_mask, bool values_dim_must_match) {
  const auto fail = [&](const std::string& why) {
    std::string shapes = "query " + to_string(query.shape()) + ", keys " + to_string(keys.shape()) + ", values " +
                         to_string(values.shape());
    if (key_padding_mask.defined()) shapes += ", key_padding_mask " + to_string(key_padding_mask.shape());
    throw std::invalid_argument(layer + ": " + why + " (got " + shapes + ")");
  };
  const std::size_t rank = query.dim();
  if (rank < 3 || keys.dim() != rank || values.dim() != rank)
    fail("query, keys and values must have one rank of at least 3: [B, ..., Tq, D], [B, ..., T, D], [B, ..., T, Dv]");
  for (std::size_t axis = 0; axis + 2 < rank; ++axis)
    if (keys.shape()[axis] != query.shape()[axis] || values.shape()[axis] != query.shape()[axis])
      fail("leading axes (batch, heads) differ");
  if (query.size(-2) == 0 || keys.size(-2) == 0 || query.size(-1) == 0)
    fail("Tq, T and D must be at least 1 (an empty history is T >= 1 keys, all padded)");
  if (keys.size(-1) != query.size(-1)) fail("query and keys must have the same last dimension D");
  if (values.size(-2) != keys.size(-2)) fail("keys and values must have the same length T");
  if (values_dim_must_match && values.size(-1) != query.size(-1))
    fail("values must have the same last dimension D as query and keys");
  if (key_padding_mask.defined() && (key_padding_mask.dim() != 2 || key_padding_mask.size(0) != keys.size(0) ||
                                     key_padding_mask.size(1) != keys.size(-2)))
    fail("key_padding_mask must be [B, T]");
}

Tensor attention_weights(const Tensor& scores, const Tensor& key_padding_mask, bool softmax) {
  if (!key_padding_mask.defined()) return softmax ? recgrad::softmax(scores, -1) : scores;
  // [B, T] -> [B, 1, ..., 1, T], so one mask row serves every query (and head) of its sample.
  Shape mask_shape(scores.dim(), 1);
  mask_shape.front() = key_padding_mask.size(0);
  mask_shape.back() = key_padding_mask.size(1);
  const Tensor mask_values =
      key_padding_mask.dtype() == scores.dtype() ? key_padding_mask : key_padding_mask.to(scores.dtype());
  const Tensor mask = reshape(mask_values, mask_shape);
  return softmax ? recgrad::softmax(scores, -1, mask) : scores * (1.0 - mask);
}

}  // namespace recgrad
