// Embedding: torch golden values with padding_idx = 0, padding and touched-row gradients, gradcheck.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/embedding.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
std::vector<std::int64_t> fixture_indices(const std::string& name) {
  std::vector<std::int64_t> out;
  for (double v : fixture_tensor("layers.json", name).to_vector()) out.push_back(static_cast<std::int64_t>(v));
  return out;
}
}  // namespace

TEST(Embedding, MatchesPyTorchWithPaddingIdx) {
  Rng rng(0);
  Embedding table(6, 3, rng, DType::Float64);
  table.weight.copy_from(fixture_tensor("layers.json", "embedding.weight"));
  const Tensor y = table.forward(fixture_indices("embedding.indices"), {2, 3});
  EXPECT_TRUE(AllClose(y, fixture_tensor("layers.json", "embedding.output"), 1e-6));
  y.backward(fixture_tensor("layers.json", "embedding.grad_output"));
  EXPECT_TRUE(AllClose(table.weight.grad(), fixture_tensor("layers.json", "embedding.weight.grad"), 1e-6));
}

TEST(Embedding, PaddingRowStartsZero) {
  Rng rng(1);
  Embedding table(5, 4, rng);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_EQ(table.weight.at({0, j}), 0.0);
  EXPECT_NE(table.weight.at({1, 0}), 0.0);
}

TEST(Embedding, InitKindsDrawFromTheirDistributions) {
  // A [4001, 8] table: 32 000 draws, so sample statistics sit within a few percent of the truth.
  auto stats = [](const Embedding& table) {
    const std::vector<double> v = table.weight.to_vector();
    double sum_sq = 0, largest = 0;
    for (std::size_t i = 8; i < v.size(); ++i) {  // row 0 is the zero padding row
      sum_sq += v[i] * v[i];
      largest = std::max(largest, std::abs(v[i]));
    }
    return std::pair{std::sqrt(sum_sq / double(v.size() - 8)), largest};
  };
  Rng rng(3);
  init::EmbeddingInit normal;  // the default: N(0, 0.01^2)
  auto [std_normal, max_normal] = stats(Embedding(4001, 8, rng, DType::Float64, 0, normal));
  EXPECT_NEAR(std_normal, 0.01, 0.0003);
  EXPECT_GT(max_normal, 0.03);  // a normal's tail, not a uniform's edge

  init::EmbeddingInit uniform{init::EmbeddingInit::Kind::Uniform};
  uniform.bound = 0.2;
  auto [std_uniform, max_uniform] = stats(Embedding(4001, 8, rng, DType::Float64, 0, uniform));
  EXPECT_NEAR(std_uniform, 0.2 / std::sqrt(3.0), 0.003);
  EXPECT_LE(max_uniform, 0.2);
  EXPECT_GT(max_uniform, 0.199);

  const double xavier_bound = std::sqrt(6.0 / (4001 + 8));
  auto [std_xavier, max_xavier] =
      stats(Embedding(4001, 8, rng, DType::Float64, 0, {init::EmbeddingInit::Kind::Xavier}));
  EXPECT_NEAR(std_xavier, xavier_bound / std::sqrt(3.0), 0.03 * xavier_bound);
  EXPECT_LE(max_xavier, xavier_bound);
}

TEST(Embedding, PaddingRowGetsZeroGrad) {
  Rng rng(2);
  Embedding table(5, 4, rng, DType::Float64);
  const Tensor y = table.forward({0, 3, 0, 0}, {2, 2});
  EXPECT_EQ(y.shape(), (Shape{2, 2, 4}));
  sum(y * y + y).backward();
  const Tensor g = table.weight.grad();
  for (std::size_t j = 0; j < 4; ++j) {
    EXPECT_EQ(g.at({0, j}), 0.0);
    EXPECT_NE(g.at({3, j}), 0.0);
  }
}

TEST(Embedding, GradTouchesOnlyUsedRows) {
  Rng rng(3);
  Embedding table(10, 2, rng);
  sum(table.forward({4, 7, 4}, {3})).backward();
  ASSERT_NE(table.weight.grad_rows(), nullptr);
  std::vector<std::int64_t> rows = *table.weight.grad_rows();
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  EXPECT_EQ(rows, (std::vector<std::int64_t>{4, 7}));
  EXPECT_EQ(table.weight.grad().at({4, 0}), 2.0);  // used twice
}

TEST(Embedding, GradcheckRepeatedIndicesAndPadding) {
  Rng rng(4);
  Embedding table(4, 3, rng, DType::Float64);
  // Padded positions are dropped downstream (as a model's mask does), so the padding row, which gets
  // no gradient by design, also has no numerical one.
  const Tensor keep = Tensor::from_vector({2, 3, 1}, {1, 0, 1, 1, 1, 0}, DType::Float64);
  const auto f = [&](const std::vector<Tensor>&) {
    const Tensor y = table.forward({1, 0, 1, 3, 2, 0}, {2, 3});
    return y * y * keep;  // non-linear, so the gradient depends on the row values
  };
  EXPECT_GRADCHECK(f, table.parameters());
}

TEST(Embedding, NoPaddingRowWithMinusOne) {
  Rng rng(5);
  Embedding table(3, 2, rng, DType::Float64, -1);
  EXPECT_NE(table.weight.at({0, 0}), 0.0);
  sum(table.forward({0}, {1})).backward();
  EXPECT_EQ(table.weight.grad().at({0, 1}), 1.0);
}

TEST(Embedding, OutOfRangeIndexThrows) {
  Rng rng(6);
  Embedding table(3, 2, rng);
  EXPECT_THROW(table.forward({1, 3}, {2}), std::exception);
  EXPECT_THROW(Embedding(3, 2, rng, DType::Float32, 3), std::invalid_argument);
}
