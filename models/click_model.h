#pragma once
// ClickModel: the attention-based click-through-rate model a JSON config assembles from layers/.
//
//   target   = ItemEmbedding(target id, target side info)                 [B, D]
//   history  = ItemEmbedding(history ids, history side info)              [B, T, D]   (same tables)
//   history += PositionEmbedding (position 0 = most recent, or time gap)  optional
//   history  = TransformerBlock(history) x layers                         optional (BST-style)
//   pooled   = HistoryPooling(query = target, keys = values = history)    [B, D]
//   x        = [user, target, pooled, target * pooled]                    [B, U + 3D] (user: model.user_embedding)
//   logit    = MLP tower(x)                                               [B]
//   p(click) = sigmoid(logit); trained with binary cross-entropy on the logit.
// D = embedding_dim x (1 + side-info fields) with "concat", embedding_dim with "sum"/"eges".
// A multi-valued side-info field (Batch::side_width > 1) contributes the mean of its values' rows.
// The product target * pooled lets the tower see agreement between candidate and history directly.
#include <memory>

#include "core/random.h"
#include "data/batcher.h"
#include "layers/embedding.h"
#include "layers/item_embedding.h"
#include "layers/mlp.h"
#include "layers/position_embedding.h"
#include "layers/transformer_block.h"
#include "models/click_model_options.h"
#include "models/history_pooling.h"

namespace recgrad {

// Vocabulary sizes (padding and out-of-vocabulary rows included) and the longest history.
struct FeatureSizes {
  std::size_t items = 0;
  std::vector<std::size_t> side;  // one per side-info field
  std::vector<std::string> side_names;  // their names ("item_cate"), which name the embedding tables
  std::size_t users = 0;          // 0: the data has no user column
  std::size_t max_len = 0;
};

struct ClickOutput {
  Tensor logits;     // [B]
  Tensor attention;  // the pooling weights: [B, 1, T], or [B, h, 1, T] for multi_head
};

class ClickModel : public Module {
 public:
  ClickModel(const ClickModelOptions& options, const FeatureSizes& sizes, std::uint64_t seed,
             DType dtype = DType::Float32);
  ClickOutput forward(const Batch& batch);

  std::size_t item_dim() const { return items_->dim(); }
  DType dtype() const { return dtype_; }

 private:
  DType dtype_;
  std::shared_ptr<ItemEmbedding> items_;
  std::shared_ptr<Embedding> users_;
  std::shared_ptr<PositionEmbedding> positions_;
  std::vector<std::shared_ptr<TransformerBlock>> blocks_;
  std::shared_ptr<HistoryPooling> pooling_;
  std::shared_ptr<MLP> tower_;
};

}  // namespace recgrad
