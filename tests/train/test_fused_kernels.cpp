// Every shipped config's click model built twice in float64 with the same seed, once with the fused
// kernels and once with the reference forms (model.fused_kernels): the same logits, attention
// weights, gradient of every parameter, and running statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/ops.h"
#include "models/click_model.h"
#include "tests/layers/fused_reference.h"
#include "train/config.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Four impressions with histories of 4, 2, 1 and 0 items (T = 4) and repeated ids; a multi-valued
// side-info field has width 2, with cells of one and two values.
Batch hand_made_batch(const Schema& features, bool with_users) {
  Batch batch;
  batch.B = 4;
  batch.T = 4;
  batch.target_item = {2, 3, 5, 6};
  batch.history_item = {4, 2, 6, 3, /**/ 5, 2, 0, 0, /**/ 3, 0, 0, 0, /**/ 0, 0, 0, 0};
  batch.lengths = {4, 2, 1, 0};
  for (const std::string& field : features.item_side) {
    if (features.multi_valued.count(field) == 0) {
      batch.side_width.push_back(1);
      batch.target_side.push_back({2, 3, 4, 2});
      batch.history_side.push_back({3, 2, 4, 3, /**/ 4, 2, 0, 0, /**/ 2, 0, 0, 0, /**/ 0, 0, 0, 0});
      continue;
    }
    batch.side_width.push_back(2);
    batch.target_side.push_back({2, 0, /**/ 3, 4, /**/ 4, 0, /**/ 2, 3});
    batch.history_side.push_back({3, 0, 2, 4, 4, 0, 3, 2,   // sample 0
                                  4, 2, 2, 0, 0, 0, 0, 0,   // sample 1
                                  2, 3, 0, 0, 0, 0, 0, 0,   // sample 2
                                  0, 0, 0, 0, 0, 0, 0, 0}); // sample 3: empty history
  }
  if (with_users) batch.user = {2, 1, 3, 2};
  batch.labels = {1, 0, 1, 0};
  batch.rows = {0, 1, 2, 3};
  return batch;
}

std::vector<std::filesystem::path> shipped_configs() {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(RECGRAD_CONFIGS))
    if (entry.path().extension() == ".json") paths.push_back(entry.path());
  std::sort(paths.begin(), paths.end());
  return paths;
}
}  // namespace

TEST(FusedKernels, EveryShippedConfigGivesTheReferenceLogitsWeightsAndGradients) {
  const std::vector<std::filesystem::path> configs = shipped_configs();
  ASSERT_GE(configs.size(), 8u) << "configs/ went missing";
  for (const std::filesystem::path& path : configs) {
    SCOPED_TRACE(path.filename().string());
    const RunConfig config = load_run_config(path.string());
    FeatureSizes sizes;
    sizes.items = 7;
    sizes.side_names = config.features.item_side;
    sizes.side.assign(config.features.item_side.size(), 5);
    sizes.users = config.features.user.empty() ? 0 : 4;
    sizes.max_len = config.features.max_len;
    const Batch batch = hand_made_batch(config.features, sizes.users != 0);
    const Tensor labels = Tensor::from_vector({batch.B}, batch.labels, DType::Float64);

    ClickModelOptions options = config.model;
    ClickModel fused(options, sizes, config.training.seed, DType::Float64);
    options.fused_kernels = false;
    ClickModel reference(options, sizes, config.training.seed, DType::Float64);
    const ClickOutput a = fused.forward(batch), b = reference.forward(batch);
    EXPECT_TRUE(graph_uses(a.logits, "linear")) << "the fused model runs no fused Linear";
    for (const std::string& op : kFusedOps) EXPECT_FALSE(graph_uses(b.logits, op)) << "the reference runs " << op;
    EXPECT_TRUE(AllClose(a.logits, b.logits, 1e-12)) << "logits";
    ASSERT_EQ(a.attention.defined(), b.attention.defined());
    if (a.attention.defined()) {
      EXPECT_TRUE(AllClose(a.attention, b.attention, 1e-12)) << "attention weights";
    }

    bce_with_logits(a.logits, labels).backward();
    bce_with_logits(b.logits, labels).backward();
    const NamedTensors pa = fused.named_parameters(), pb = reference.named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
      ASSERT_EQ(pa[i].first, pb[i].first);
      ASSERT_EQ(pa[i].second.has_grad(), pb[i].second.has_grad()) << pa[i].first;
      if (pa[i].second.has_grad()) {
        EXPECT_TRUE(AllClose(pa[i].second.grad(), pb[i].second.grad(), 1e-12)) << "gradient of " << pa[i].first;
      }
    }
    const NamedTensors ba = fused.named_buffers(), bb = reference.named_buffers();
    ASSERT_EQ(ba.size(), bb.size());
    for (std::size_t i = 0; i < ba.size(); ++i)
      EXPECT_TRUE(AllClose(ba[i].second, bb[i].second, 1e-12)) << "buffer " << ba[i].first;
  }
}
