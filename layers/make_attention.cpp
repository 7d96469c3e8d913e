// The attention kinds by name, and the factory that builds one from AttentionOptions.
#include <stdexcept>

#include "layers/additive_attention.h"
#include "layers/attention.h"
#include "layers/din_attention.h"
#include "layers/dot_attention.h"
#include "layers/enum_names.h"
#include "layers/mean_pooling.h"
#include "layers/multi_head_attention.h"
#include "layers/scaled_dot_attention.h"

namespace recgrad {

const std::vector<std::string>& attention_kind_names() {
  static const std::vector<std::string> names{"mean", "dot", "scaled_dot", "din", "multi_head", "additive"};
  return names;
}

AttentionKind parse_attention_kind(const std::string& name) {
  return enum_of_name<AttentionKind>(attention_kind_names(), name, "attention kind");
}

const std::string& attention_kind_name(AttentionKind kind) { return attention_kind_names().at(std::size_t(kind)); }

std::shared_ptr<Attention> make_attention(const AttentionOptions& options, std::size_t dim, Rng& rng, DType dtype) {
  switch (options.kind) {
    case AttentionKind::Mean: return std::make_shared<MeanPooling>();
    case AttentionKind::Dot: return std::make_shared<DotProductAttention>(options.softmax);
    case AttentionKind::ScaledDot: return std::make_shared<ScaledDotProductAttention>();
    case AttentionKind::Din: return std::make_shared<DinAttention>(dim, rng, dtype, options);
    case AttentionKind::MultiHead: return std::make_shared<MultiHeadAttention>(dim, options.heads, rng, dtype);
    case AttentionKind::Additive: return std::make_shared<AdditiveAttention>(dim, rng, dtype);
  }
  throw std::logic_error("make_attention: no case for attention kind " + std::to_string(int(options.kind)));
}

}  // namespace recgrad
