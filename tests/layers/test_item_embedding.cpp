// ItemEmbedding: id + side-info fields combined by concat, sum or EGES weights.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/item_embedding.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
const std::vector<ItemField> kFields = {{"id", 6, 3}, {"category", 4, 3}, {"brand", 3, 3}};

// A history [2, 3] with a repeated item and one padded position (0 in every field).
const std::vector<std::vector<std::int64_t>> kHistory = {{2, 5, 0, 2, 1, 3}, {1, 3, 0, 1, 2, 1}, {2, 1, 0, 2, 1, 1}};
const Shape kHistoryShape = {2, 3};

void randomize(Module& module, Rng& rng) {
  for (Tensor p : module.parameters()) p.copy_from(Tensor::randn(p.shape(), rng, DType::Float64));
}

void expect_gradcheck(FieldCombine combine, std::uint64_t seed) {
  Rng rng(seed);
  ItemEmbedding items(kFields, combine, rng, DType::Float64);
  randomize(items, rng);
  // The padded position is left out downstream (see Embedding.GradcheckRepeatedIndicesAndPadding).
  const Tensor keep = Tensor::from_vector({2, 3, 1}, {1, 1, 0, 1, 1, 1}, DType::Float64);
  const auto f = [&](const std::vector<Tensor>&) {
    const Tensor y = items.forward(kHistory, kHistoryShape);
    return y * y * keep;
  };
  EXPECT_GRADCHECK(f, items.parameters());
}
}  // namespace

TEST(ItemEmbedding, GradcheckConcat) { expect_gradcheck(FieldCombine::Concat, 1); }
TEST(ItemEmbedding, GradcheckSum) { expect_gradcheck(FieldCombine::Sum, 2); }
TEST(ItemEmbedding, GradcheckEges) { expect_gradcheck(FieldCombine::Eges, 3); }

TEST(ItemEmbedding, NamesAndDims) {
  Rng rng(4);
  ItemEmbedding concat_items(kFields, FieldCombine::Concat, rng);
  ItemEmbedding eges_items(kFields, FieldCombine::Eges, rng);
  EXPECT_EQ(concat_items.dim(), 9u);
  EXPECT_EQ(eges_items.dim(), 3u);
  std::vector<std::string> names;
  for (const auto& entry : eges_items.named_parameters()) names.push_back(entry.first);
  EXPECT_EQ(names, (std::vector<std::string>{"field_weights", "id.weight", "category.weight", "brand.weight"}));
  EXPECT_EQ(eges_items.field_weights.shape(), (Shape{6, 3}));
}

TEST(ItemEmbedding, ConcatAndSumCombineTheFieldTables) {
  Rng rng(5), same(5);
  ItemEmbedding concat_items(kFields, FieldCombine::Concat, rng, DType::Float64);
  ItemEmbedding sum_items(kFields, FieldCombine::Sum, same, DType::Float64);  // same tables
  const Tensor joined = concat_items.forward(kHistory, kHistoryShape);  // [2, 3, 9]
  const Tensor summed = sum_items.forward(kHistory, kHistoryShape);     // [2, 3, 3]
  const std::vector<Tensor> parts = split(joined, {3, 3, 3}, -1);
  EXPECT_TRUE(AllClose(summed, parts[0] + parts[1] + parts[2], 1e-12));
}

TEST(ItemEmbedding, EgesStartsAsTheAverageOfFields) {
  Rng rng(6), same(6);
  ItemEmbedding eges_items(kFields, FieldCombine::Eges, rng, DType::Float64);
  ItemEmbedding sum_items(kFields, FieldCombine::Sum, same, DType::Float64);
  EXPECT_TRUE(AllClose(eges_items.forward(kHistory, kHistoryShape), sum_items.forward(kHistory, kHistoryShape) / 3.0,
                       1e-12));
}

TEST(ItemEmbedding, EgesWeightsFollowTheItemId) {
  Rng rng(7);
  ItemEmbedding items(kFields, FieldCombine::Eges, rng, DType::Float64);
  // Item 2 trusts only its category: a large weight on field 1 of row 2.
  items.field_weights.mutable_data<double>()[2 * 3 + 1] = 50.0;
  const Tensor y = items.forward({{2}, {3}, {1}}, {1});
  const Tensor category = items.named_parameters()[2].second;  // "category.weight"
  EXPECT_TRUE(AllClose(y, slice(category, 0, 3, 4), 1e-12));
}

TEST(ItemEmbedding, TargetAndHistoryShareTables) {
  Rng rng(8);
  ItemEmbedding items(kFields, FieldCombine::Eges, rng, DType::Float64);
  randomize(items, rng);
  const Tensor target = items.forward({{5, 1}, {3, 3}, {1, 2}}, {2});  // [2, D]
  const Tensor history = items.forward(kHistory, kHistoryShape);       // [2, 3, D]
  EXPECT_EQ(target.shape(), (Shape{2, 3}));
  // Item (5, 3, 1) is history position [0, 1].
  EXPECT_TRUE(AllClose(slice(target, 0, 0, 1), reshape(slice(slice(history, 0, 0, 1), 1, 1, 2), {1, 3}), 1e-12));
}

TEST(ItemEmbedding, PaddedItemIsZeroInEveryMode) {
  for (FieldCombine combine : {FieldCombine::Concat, FieldCombine::Sum, FieldCombine::Eges}) {
    Rng rng(9);
    ItemEmbedding items(kFields, combine, rng, DType::Float64);
    for (double v : items.forward({{0}, {0}, {0}}, {1}).to_vector()) EXPECT_EQ(v, 0.0);
  }
}

TEST(ItemEmbedding, BadFieldsThrow) {
  Rng rng(10);
  EXPECT_THROW(ItemEmbedding({{"id", 4, 3}, {"category", 3, 2}}, FieldCombine::Sum, rng), std::invalid_argument);
  ItemEmbedding items(kFields, FieldCombine::Concat, rng);
  EXPECT_THROW(items.forward({{1}, {1}}, {1}), std::invalid_argument);
}
