// The attention conventions (layers/attention.h), DotProductAttention and ScaledDotProductAttention.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "layers/dot_attention.h"
#include "layers/scaled_dot_attention.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Three histories of lengths 4, 2 and 0 (a new user) in one batch of T = 4.
const std::vector<std::size_t> kLengths{4, 2, 0};
constexpr std::size_t kB = 3, kT = 4;

Tensor mask() { return padding_mask(kLengths, kT, DType::Float64); }

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector())
    if (!std::isfinite(v)) return false;
  return true;
}
}  // namespace

TEST(AttentionWeights, SoftmaxOverUnpaddedKeysSumsToOneAndPaddedKeysGetZero) {
  Rng rng(1);
  const Tensor scores = Tensor::randn({kB, 2, kT}, rng, DType::Float64);
  const Tensor w = attention_weights(scores, mask(), /*softmax=*/true);
  for (std::size_t b = 0; b < kB; ++b)
    for (std::size_t q = 0; q < 2; ++q) {
      double total = 0;
      for (std::size_t t = 0; t < kT; ++t) {
        if (t >= kLengths[b]) {
          EXPECT_EQ(w.at({b, q, t}), 0.0);
        }
        total += w.at({b, q, t});
      }
      EXPECT_NEAR(total, kLengths[b] > 0 ? 1.0 : 0.0, 1e-12) << "sample " << b;
    }
}

TEST(AttentionWeights, RawScoresKeptAtUnpaddedKeysAndZeroAtPaddedOnes) {
  Rng rng(2);
  const Tensor scores = Tensor::randn({kB, 1, kT}, rng, DType::Float64);
  const Tensor w = attention_weights(scores, mask(), /*softmax=*/false);
  for (std::size_t b = 0; b < kB; ++b)
    for (std::size_t t = 0; t < kT; ++t) EXPECT_EQ(w.at({b, 0, t}), t < kLengths[b] ? scores.at({b, 0, t}) : 0.0);
}

TEST(AttentionWeights, Float32MaskWorksWithFloat64Scores) {
  Rng rng(3);
  const Tensor scores = Tensor::randn({kB, 1, kT}, rng, DType::Float64);
  EXPECT_TRUE(AllClose(attention_weights(scores, padding_mask(kLengths, kT), true),
                       attention_weights(scores, mask(), true), 0.0));
}

TEST(DotProductAttention, RawWeightsAreDotProductsAndOutputTheirWeightedSum) {
  // One sample, query [1, 0], keys [1, 2] and [3, 4]: weights 1 and 3.
  const Tensor query = Tensor::from_vector({1, 1, 2}, {1, 0}, DType::Float64);
  const Tensor keys = Tensor::from_vector({1, 2, 2}, {1, 2, 3, 4}, DType::Float64);
  const Tensor values = Tensor::from_vector({1, 2, 3}, {1, 0, 2, 0, 1, -1}, DType::Float64);
  const AttentionOutput a = DotProductAttention(false).forward(query, keys, values);
  EXPECT_EQ(a.weights.to_vector(), (std::vector<double>{1, 3}));
  EXPECT_EQ(a.output.to_vector(), (std::vector<double>{1 * 1 + 3 * 0, 1 * 0 + 3 * 1, 1 * 2 + 3 * -1}));
}

TEST(DotProductAttention, SoftmaxWeightsAreNormalisedExponentials) {
  const Tensor query = Tensor::from_vector({1, 1, 2}, {1, 0}, DType::Float64);
  const Tensor keys = Tensor::from_vector({1, 2, 2}, {1, 2, 3, 4}, DType::Float64);
  const Tensor values = Tensor::from_vector({1, 2, 1}, {10, 20}, DType::Float64);
  const AttentionOutput a = DotProductAttention(true).forward(query, keys, values);
  const double w0 = std::exp(1.0) / (std::exp(1.0) + std::exp(3.0));
  EXPECT_TRUE(AllClose(a.weights, Tensor::from_vector({1, 1, 2}, {w0, 1 - w0}, DType::Float64), 1e-15));
  EXPECT_NEAR(a.output.item(), 10 * w0 + 20 * (1 - w0), 1e-13);
}

TEST(DotProductAttention, EmptyHistoryGivesZerosNotNaN) {
  Rng rng(4);
  const Tensor query = random_input({kB, 1, 3}, rng), keys = random_input({kB, kT, 3}, rng);
  const Tensor values = random_input({kB, kT, 5}, rng);
  for (bool softmax : {true, false}) {
    const AttentionOutput a = DotProductAttention(softmax).forward(query, keys, values, mask());
    ASSERT_TRUE(all_finite(a.output) && all_finite(a.weights));
    for (double v : slice(a.output, 0, 2, 3).to_vector()) EXPECT_EQ(v, 0.0);
    for (double v : slice(a.weights, 0, 2, 3).to_vector()) EXPECT_EQ(v, 0.0);
    sum(a.output).backward();
    EXPECT_TRUE(all_finite(query.grad()) && all_finite(keys.grad()) && all_finite(values.grad()));
  }
}

TEST(DotProductAttention, PaddedKeysAndValuesGetNoGradient) {
  Rng rng(5);
  const Tensor query = random_input({kB, 1, 3}, rng);
  Tensor keys = random_input({kB, kT, 3}, rng), values = random_input({kB, kT, 3}, rng);
  for (bool softmax : {true, false}) {
    keys.zero_grad();
    values.zero_grad();
    sum(DotProductAttention(softmax).forward(query, keys, values, mask()).output).backward();
    for (const Tensor& t : {keys, values})
      for (std::size_t b = 0; b < kB; ++b)
        for (std::size_t p = kLengths[b]; p < kT; ++p)
          for (std::size_t d = 0; d < 3; ++d) EXPECT_EQ(t.grad().at({b, p, d}), 0.0);
  }
}

TEST(DotProductAttention, GradcheckWithMixedLengthsAndEmptyHistory) {
  Rng rng(6);
  const std::vector<Tensor> inputs{random_input({kB, 2, 3}, rng), random_input({kB, kT, 3}, rng),
                                   random_input({kB, kT, 2}, rng)};
  for (bool softmax : {true, false}) {
    DotProductAttention attention(softmax);
    EXPECT_GRADCHECK(
        [&](const std::vector<Tensor>& in) { return flat(attention.forward(in[0], in[1], in[2], mask())); }, inputs);
  }
}

TEST(DotProductAttention, PermutingHistoryPermutesWeightsAndKeepsOutput) {
  Rng rng(7);
  const Tensor query = random_input({kB, 2, 3}, rng), keys = random_input({kB, kT, 3}, rng);
  const Tensor values = random_input({kB, kT, 3}, rng);
  const std::vector<std::size_t> order{2, 0, 3, 1};
  for (bool softmax : {true, false}) {
    DotProductAttention attention(softmax);
    const AttentionOutput a = attention.forward(query, keys, values, mask());
    const AttentionOutput p =
        attention.forward(query, reorder(keys, 1, order), reorder(values, 1, order), reorder(mask(), 1, order));
    EXPECT_TRUE(AllClose(p.output, a.output, 1e-12));
    EXPECT_TRUE(AllClose(p.weights, reorder(a.weights, 2, order), 1e-12));
  }
}

TEST(DotProductAttention, MismatchedShapesThrowNamingTheLayerAndShapes) {
  const Tensor query = Tensor::zeros({2, 1, 3}), keys = Tensor::zeros({2, 4, 5}), values = Tensor::zeros({2, 4, 3});
  try {
    DotProductAttention(true).forward(query, keys, values);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("DotProductAttention"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("keys [2, 4, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(DotProductAttention(true).forward(query, Tensor::zeros({2, 4, 3}), values, Tensor::zeros({2, 3})),
               std::invalid_argument);
}

TEST(ScaledDotProductAttention, EqualsSoftmaxDotProductOfQueryOverSqrtDk) {
  Rng rng(8);
  const std::size_t dk = 4;
  const Tensor query = random_input({kB, 2, dk}, rng), keys = random_input({kB, kT, dk}, rng);
  const Tensor values = random_input({kB, kT, 3}, rng);
  const AttentionOutput scaled = ScaledDotProductAttention().forward(query, keys, values, mask());
  const AttentionOutput plain = DotProductAttention(true).forward(query / std::sqrt(double(dk)), keys, values, mask());
  EXPECT_TRUE(AllClose(scaled.output, plain.output, 1e-12));
  EXPECT_TRUE(AllClose(scaled.weights, plain.weights, 1e-12));
}

TEST(ScaledDotProductAttention, HeadsAxisActsAsAnotherBatchAxis) {
  Rng rng(9);
  const std::size_t h = 2;
  const Tensor query = random_input({kB, h, 1, 3}, rng), keys = random_input({kB, h, kT, 3}, rng);
  const Tensor values = random_input({kB, h, kT, 3}, rng);
  const AttentionOutput all = scaled_dot_product_attention(query, keys, values, mask());
  for (std::size_t head = 0; head < h; ++head) {
    const auto one = [&](const Tensor& x) { return reshape(slice(x, 1, head, head + 1), {kB, x.size(2), 3}); };
    const AttentionOutput single = scaled_dot_product_attention(one(query), one(keys), one(values), mask());
    EXPECT_TRUE(AllClose(reshape(slice(all.output, 1, head, head + 1), {kB, 1, 3}), single.output, 1e-14));
    EXPECT_TRUE(AllClose(reshape(slice(all.weights, 1, head, head + 1), {kB, 1, kT}), single.weights, 1e-14));
  }
}

TEST(ScaledDotProductAttention, GradcheckWithMixedLengthsAndEmptyHistory) {
  Rng rng(10);
  ScaledDotProductAttention attention;
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return flat(attention.forward(in[0], in[1], in[2], mask())); },
                   {random_input({kB, 2, 3}, rng), random_input({kB, kT, 3}, rng), random_input({kB, kT, 2}, rng)});
}

TEST(ScaledDotProductAttention, GradcheckPerHeadWithMasks) {
  Rng rng(11);
  EXPECT_GRADCHECK(
      [&](const std::vector<Tensor>& in) { return flat(scaled_dot_product_attention(in[0], in[1], in[2], mask())); },
      {random_input({kB, 2, 1, 2}, rng), random_input({kB, 2, kT, 2}, rng), random_input({kB, 2, kT, 2}, rng)});
}

TEST(ScaledDotProductAttention, PermutingHistoryPermutesWeightsAndKeepsOutput) {
  Rng rng(12);
  const Tensor query = random_input({kB, 2, 3}, rng), keys = random_input({kB, kT, 3}, rng);
  const Tensor values = random_input({kB, kT, 3}, rng);
  const std::vector<std::size_t> order{3, 2, 1, 0};
  const AttentionOutput a = scaled_dot_product_attention(query, keys, values, mask());
  const AttentionOutput p = scaled_dot_product_attention(query, reorder(keys, 1, order), reorder(values, 1, order),
                                                         reorder(mask(), 1, order));
  EXPECT_TRUE(AllClose(p.output, a.output, 1e-12));
  EXPECT_TRUE(AllClose(p.weights, reorder(a.weights, 2, order), 1e-12));
}
