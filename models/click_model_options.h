#pragma once
// The settings of a ClickModel, named as the keys of the config's "model" section (docs/config.md)
// and read straight into these types (train/config.cpp). The defaults here are the config's defaults.
#include <cstddef>
#include <string>
#include <vector>

#include "layers/attention.h"
#include "layers/init.h"
#include "layers/item_embedding.h"
#include "layers/position_embedding.h"

namespace recgrad {

struct SelfAttentionOptions {  // BST-style transformer blocks over the history before pooling
  bool enabled = false;
  std::size_t heads = 2;
  std::size_t ffn_dim = 64;
  std::size_t layers = 1;
  double dropout = 0.0;
};

struct TowerOptions {  // the MLP from [user, target, pooled, target * pooled] to the logit
  std::vector<std::size_t> hidden = {200, 80};
  std::string activation = "prelu";  // any name make_activation knows
  double dropout = 0.0;
};

struct ClickModelOptions {
  std::size_t embedding_dim = 16;      // per field (id, each side-info field, user)
  init::EmbeddingInit embedding_init;  // every embedding table, position tables too (layers/init.h)
  FieldCombine combine = FieldCombine::Concat;     // how the side-info fields join the id
  PositionKind position = PositionKind::Learned;  // None: no position embedding; TimeGap needs timestamps
  // A learned vector per user id in the tower's input (needs a user column). On by default: on real
  // logs a user's own click rate is most of what can be predicted (docs/real-data.md).
  bool user_embedding = true;
  // The fused or factored kernels (true) or the plain reference forms (Module::set_fused_kernels).
  bool fused_kernels = true;
  AttentionOptions attention;  // the pooling of the history for the candidate
  SelfAttentionOptions self_attention;
  TowerOptions tower;
};

}  // namespace recgrad
