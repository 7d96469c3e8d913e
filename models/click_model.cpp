#include "models/click_model.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

ClickModel::ClickModel(const ClickModelOptions& options, const FeatureSizes& sizes, std::uint64_t seed, DType dtype)
    : dtype_(dtype) {
  Rng rng(seed);
  std::vector<ItemField> fields{{"id", sizes.items, options.embedding_dim}};
  for (std::size_t f = 0; f < sizes.side.size(); ++f)
    fields.push_back({sizes.side_names[f], sizes.side[f], options.embedding_dim});
  items_ = register_module(
      "items", std::make_shared<ItemEmbedding>(fields, options.combine, rng, dtype, options.embedding_init));
  const std::size_t D = items_->dim();
  if (options.user_embedding) {
    if (sizes.users == 0) throw std::invalid_argument("ClickModel: user_embedding needs a user column in the data");
    users_ = register_module("users", std::make_shared<Embedding>(sizes.users, options.embedding_dim, rng, dtype, 0,
                                                                    options.embedding_init));
  }
  if (options.position != PositionKind::None) {
    PositionEmbeddingOptions position;
    position.kind = options.position;
    position.init = options.embedding_init;
    positions_ = register_module("positions", std::make_shared<PositionEmbedding>(sizes.max_len, D, rng, dtype, position));
  }
  const SelfAttentionOptions& self_attention = options.self_attention;
  if (self_attention.enabled) {
    TransformerBlockOptions block;
    block.dropout = self_attention.dropout;
    for (std::size_t i = 0; i < self_attention.layers; ++i)
      blocks_.push_back(register_module("blocks." + std::to_string(i),
                                        std::make_shared<TransformerBlock>(D, self_attention.heads,
                                                                           self_attention.ffn_dim, rng, dtype, block)));
  }
  pooling_ = register_module("pooling", std::make_shared<HistoryPooling>(options.attention, D, rng, dtype));
  std::vector<std::size_t> tower_sizes{(users_ ? options.embedding_dim : 0) + 3 * D};
  tower_sizes.insert(tower_sizes.end(), options.tower.hidden.begin(), options.tower.hidden.end());
  tower_sizes.push_back(1);
  tower_ = register_module(
      "tower", std::make_shared<MLP>(tower_sizes, options.tower.activation, options.tower.dropout, rng, dtype));
  set_fused_kernels(options.fused_kernels);
}

ClickOutput ClickModel::forward(const Batch& batch) {
  const std::size_t B = batch.B, T = batch.T, D = items_->dim();
  std::vector<std::vector<std::int64_t>> target_fields{batch.target_item}, history_fields{batch.history_item};
  target_fields.insert(target_fields.end(), batch.target_side.begin(), batch.target_side.end());
  history_fields.insert(history_fields.end(), batch.history_side.begin(), batch.history_side.end());

  // values per item of each field: 1 for the id, then side_width (> 1 for multi-valued side info)
  std::vector<std::size_t> widths{1};
  widths.insert(widths.end(), batch.side_width.begin(), batch.side_width.end());

  Tensor target = items_->forward(target_fields, {B}, widths);       // [B, D]
  Tensor history = items_->forward(history_fields, {B, T}, widths);  // [B, T, D]
  Tensor mask = padding_mask(batch.lengths, T, dtype_);      // [B, T], 1 = padded
  if (positions_) history = positions_->forward(history, batch.time_gaps);  // time_gap reads the gaps
  for (auto& block : blocks_) history = block->forward(history, mask).output;

  AttentionOutput pooled = pooling_->forward(reshape(target, {B, 1, D}), history, mask);
  Tensor p = reshape(pooled.output, {B, D});
  std::vector<Tensor> parts;
  if (users_) parts.push_back(users_->forward(batch.user, {B}));
  parts.insert(parts.end(), {target, p, target * p});
  Tensor logits = reshape(tower_->forward(concat(parts, 1)), {B});
  return {logits, pooled.weights};
}

}  // namespace recgrad
