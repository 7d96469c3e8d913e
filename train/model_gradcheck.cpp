#include "train/model_gradcheck.h"

#include "core/ops.h"
#include "models/click_model.h"

namespace recgrad {

ModelGradcheck gradcheck_model(const RunConfig& config) {
  ClickModelOptions m = config.model;
  const std::size_t fields = 1 + config.features.item_side.size();
  // The smallest embedding_dim >= 2 whose item dimension every head count divides.
  std::size_t dim = 2;
  auto item_dim = [&](std::size_t e) { return m.combine == FieldCombine::Concat ? e * fields : e; };
  while (item_dim(dim) % m.attention.heads != 0 ||
         (m.self_attention.enabled && item_dim(dim) % m.self_attention.heads != 0))
    ++dim;
  m.embedding_dim = dim;
  m.tower.hidden = {4};
  m.tower.dropout = 0;
  m.attention.din_hidden = {4, 3};
  m.self_attention.ffn_dim = 4;
  m.self_attention.dropout = 0;

  FeatureSizes sizes;
  sizes.items = 6;
  sizes.side_names = config.features.item_side;
  sizes.side.assign(fields - 1, 4);
  sizes.users = config.features.user.empty() ? 0 : 3;
  sizes.max_len = 4;
  ClickModel model(m, sizes, config.training.seed, DType::Float64);

  // Three impressions: histories of 3, 1 and 0 items (right-padded to T = 3), repeated ids. A
  // multi-valued field has width 3, with cells of 1, 2 and 3 values.
  Batch batch;
  batch.B = 3;
  batch.T = 3;
  batch.target_item = {2, 3, 5};
  batch.history_item = {4, 2, 4, 3, 0, 0, 0, 0, 0};
  batch.lengths = {3, 1, 0};
  for (const std::string& field : config.features.item_side) {
    if (config.features.multi_valued.count(field) == 0) {
      batch.side_width.push_back(1);
      batch.target_side.push_back({2, 3, 2});
      batch.history_side.push_back({3, 2, 3, 3, 0, 0, 0, 0, 0});
      continue;
    }
    batch.side_width.push_back(3);
    batch.target_side.push_back({2, 0, 0, /**/ 3, 2, 0, /**/ 2, 3, 1});
    batch.history_side.push_back({3, 0, 0, /**/ 2, 3, 0, /**/ 3, 2, 1,   // sample 0
                                  3, 3, 0, /**/ 0, 0, 0, /**/ 0, 0, 0,   // sample 1
                                  0, 0, 0, /**/ 0, 0, 0, /**/ 0, 0, 0}); // sample 2: empty history
  }
  if (sizes.users) batch.user = {2, 1, 2};
  if (!config.features.timestamp.empty()) batch.time_gaps = {0, 600, 86400, 5, 0, 0, 0, 0, 0};  // padded slots: 0
  batch.labels = {1, 0, 1};
  batch.rows = {0, 1, 2};

  const NamedTensors named = model.named_parameters();
  std::vector<Tensor> params;
  ModelGradcheck out;
  for (const auto& [name, p] : named) {
    params.push_back(p);
    out.scalars += p.numel();
  }
  out.tensors = params.size();
  const Tensor labels = Tensor::from_vector({3}, batch.labels, DType::Float64);
  out.result = gradcheck(
      [&](const std::vector<Tensor>&) { return bce_with_logits(model.forward(batch).logits, labels); }, params);
  return out;
}

}  // namespace recgrad
