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

// ---- multi-valued side info: a field of width W > 1 is the mean of its values' rows ----

namespace {
// id, genre (multi-valued, W = 3), brand; equal dims, so every combine applies.
const std::vector<ItemField> kGenreFields = {{"id", 6, 3}, {"genre", 5, 3}, {"brand", 3, 3}};
const std::vector<std::size_t> kGenreWidths = {1, 3, 1};
// A history [2, 3]: genre cells of 1, 2 and 3 values, a repeated value (4, 4), and the padded slot (0, 2)
// (0 in every field). Genre indices are [2, 3, W].
const std::vector<std::vector<std::int64_t>> kGenreHistory = {
    {2, 5, 0, 2, 1, 3},
    {1, 0, 0, /**/ 2, 4, 0, /**/ 0, 0, 0, /**/ 1, 2, 3, /**/ 4, 4, 0, /**/ 3, 0, 0},
    {2, 1, 0, 2, 1, 1}};
// Three targets [3] with genre cells of 3, 1 and 2 values.
const std::vector<std::vector<std::int64_t>> kGenreTargets = {{5, 1, 2}, {3, 2, 1, /**/ 4, 0, 0, /**/ 2, 1, 0}, {1, 2, 1}};

// Random tables (and EGES weights) with every padding row kept zero, as Embedding leaves it.
void randomize_keeping_padding(ItemEmbedding& items, Rng& rng) {
  for (const auto& [name, p] : items.named_parameters()) {
    Tensor values = Tensor::randn(p.shape(), rng, DType::Float64);
    if (name != "field_weights") std::fill_n(values.mutable_data<double>(), p.shape()[1], 0.0);
    Tensor(p).copy_from(values);
  }
}

// Row r of a field's table as a vector.
std::vector<double> table_row(const ItemEmbedding& items, const std::string& field, std::size_t r) {
  for (const auto& [name, p] : items.named_parameters())
    if (name == field + ".weight") {
      const std::vector<double> all = p.to_vector();
      const std::size_t D = p.shape()[1];
      return std::vector<double>(all.begin() + static_cast<std::ptrdiff_t>(r * D),
                                 all.begin() + static_cast<std::ptrdiff_t>((r + 1) * D));
    }
  throw std::invalid_argument("no field " + field);
}

void expect_multi_valued_gradcheck(FieldCombine combine, std::uint64_t seed) {
  Rng rng(seed);
  ItemEmbedding items(kGenreFields, combine, rng, DType::Float64);
  randomize_keeping_padding(items, rng);
  // No mask downstream: the padding rows are zero, so the padded slot's output is zero and so is the
  // numerical gradient of the squares into those rows, as the analytic one.
  const auto f = [&](const std::vector<Tensor>&) {
    const Tensor history = items.forward(kGenreHistory, {2, 3}, kGenreWidths);  // [2, 3, D]
    const Tensor target = items.forward(kGenreTargets, {3}, kGenreWidths);      // [3, D]
    return sum(history * history) + sum(target * target * target);
  };
  EXPECT_GRADCHECK(f, items.parameters());
}
}  // namespace

TEST(ItemEmbedding, GradcheckMultiValuedInEveryMode) {
  std::uint64_t seed = 11;
  for (FieldCombine combine : {FieldCombine::Concat, FieldCombine::Sum, FieldCombine::Eges}) {
    SCOPED_TRACE(static_cast<int>(combine));
    expect_multi_valued_gradcheck(combine, seed++);
  }
}

TEST(ItemEmbedding, MultiValuedFieldIsTheMeanOfItsValueRows) {
  Rng rng(14);
  ItemEmbedding items(kGenreFields, FieldCombine::Concat, rng, DType::Float64);
  randomize_keeping_padding(items, rng);
  const Tensor y = items.forward(kGenreHistory, {2, 3}, kGenreWidths);  // [2, 3, 9], genre at [3, 6)
  ASSERT_EQ(y.shape(), (Shape{2, 3, 9}));
  struct Cell {
    std::size_t b, t;
    std::vector<std::size_t> values;
  };
  for (const Cell& cell : {Cell{0, 0, {1}}, Cell{0, 1, {2, 4}}, Cell{1, 0, {1, 2, 3}}, Cell{1, 1, {4, 4}}}) {
    for (std::size_t d = 0; d < 3; ++d) {
      double mean = 0;
      for (std::size_t v : cell.values) mean += table_row(items, "genre", v)[d];
      mean /= static_cast<double>(cell.values.size());
      EXPECT_NEAR(y.at({cell.b, cell.t, 3 + d}), mean, 1e-12) << "slot " << cell.b << "," << cell.t;
    }
  }
  // The single-valued fields around it are their plain rows.
  EXPECT_EQ(y.at({1, 0, 0}), table_row(items, "id", 2)[0]);
  EXPECT_EQ(y.at({1, 0, 6}), table_row(items, "brand", 2)[0]);
}

TEST(ItemEmbedding, PaddedMultiValuedSlotIsZeroWithNoGradientIntoRowZero) {
  for (FieldCombine combine : {FieldCombine::Concat, FieldCombine::Sum, FieldCombine::Eges}) {
    Rng rng(15);
    ItemEmbedding items(kGenreFields, combine, rng, DType::Float64);
    const Tensor y = items.forward(kGenreHistory, {2, 3}, kGenreWidths);  // [2, 3, D]
    for (std::size_t d = 0; d < items.dim(); ++d) EXPECT_EQ(y.at({0, 2, d}), 0.0);  // exactly, never 0 / 0
    sum(y * y + y).backward();
    for (const auto& [name, p] : items.named_parameters()) {
      if (name == "field_weights") continue;
      for (std::size_t d = 0; d < p.shape()[1]; ++d) EXPECT_EQ(p.grad().at({0, d}), 0.0) << name;
    }
    const Tensor genre = items.named_parameters()[combine == FieldCombine::Eges ? 2 : 1].second;
    EXPECT_NE(genre.grad().at({3, 0}), 0.0);  // a value used in a 3-value cell
  }
}

TEST(ItemEmbedding, WidthsOfOneAreTheSingleValuedLayout) {
  Rng rng(16);
  ItemEmbedding items(kFields, FieldCombine::Eges, rng, DType::Float64);
  randomize(items, rng);
  EXPECT_TRUE(AllClose(items.forward(kHistory, kHistoryShape, {1, 1, 1}), items.forward(kHistory, kHistoryShape), 0.0));
}

TEST(ItemEmbedding, BadWidthsThrow) {
  Rng rng(17);
  ItemEmbedding items(kGenreFields, FieldCombine::Sum, rng);
  EXPECT_THROW(items.forward(kGenreHistory, {2, 3}, {1, 3}), std::invalid_argument);         // one per field
  EXPECT_THROW(items.forward(kGenreTargets, {3}, {3, 3, 1}), std::invalid_argument);         // the id is single
  EXPECT_THROW(items.forward(kGenreHistory, {2, 3}, {1, 2, 1}), std::invalid_argument);      // 18 genre indices
  EXPECT_THROW(items.forward(kGenreHistory, {2, 3}, {1, 0, 1}), std::invalid_argument);
}
