// DinAttention: the DIN activation unit as an attention layer.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "layers/din_attention.h"
#include "tests/layers/fused_reference.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
const std::vector<std::size_t> kLengths{4, 2, 0};
constexpr std::size_t kB = 3, kT = 4, kD = 3;

Tensor mask() { return padding_mask(kLengths, kT, DType::Float64); }

AttentionOptions small(const std::string& activation = "sigmoid", bool softmax = false) {
  AttentionOptions options;
  options.kind = AttentionKind::Din;
  options.din_hidden = {5, 4};
  options.din_activation = activation;
  options.softmax = softmax;
  return options;
}
}  // namespace

TEST(DinAttention, DefaultUnitIs4DThrough80And40To1WithDice) {
  Rng rng(1);
  const DinAttention din(kD, rng);
  const NamedTensors params = din.named_parameters();
  ASSERT_EQ(params.size(), 8u);
  EXPECT_EQ(params[0].first, "mlp.layers.0.weight");
  EXPECT_EQ(params[0].second.shape(), (Shape{80, 4 * kD}));
  EXPECT_EQ(params[2].first, "mlp.activations.0.alpha");
  EXPECT_EQ(params[3].second.shape(), (Shape{40, 80}));
  EXPECT_EQ(params[6].second.shape(), (Shape{1, 40}));
}

TEST(DinAttention, WeightIsTheMlpScoreOfQueryKeyDifferenceAndProduct) {
  Rng rng(2);
  DinAttention din(kD, rng, DType::Float64, small());
  const Tensor query = random_input({kB, 2, kD}, rng), keys = random_input({kB, kT, kD}, rng);
  const AttentionOutput a = din.forward(query, keys, random_input({kB, kT, 2}, rng), mask());
  for (std::size_t b = 0; b < kB; ++b)
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t t = 0; t < kT; ++t) {
        std::vector<double> q(kD), k(kD), features;
        for (std::size_t d = 0; d < kD; ++d) q[d] = query.at({b, i, d}), k[d] = keys.at({b, t, d});
        for (std::size_t d = 0; d < kD; ++d) features.push_back(q[d]);
        for (std::size_t d = 0; d < kD; ++d) features.push_back(k[d]);
        for (std::size_t d = 0; d < kD; ++d) features.push_back(q[d] - k[d]);
        for (std::size_t d = 0; d < kD; ++d) features.push_back(q[d] * k[d]);
        const double score = din.mlp->forward(Tensor::from_vector({1, 4 * kD}, features, DType::Float64)).item();
        EXPECT_NEAR(a.weights.at({b, i, t}), t < kLengths[b] ? score : 0.0, 1e-14) << b << " " << i << " " << t;
      }
}

TEST(DinAttention, RawWeightsByDefaultSoftmaxOnRequest) {
  Rng rng(3), same_rng(3);  // the same seed gives both layers the same parameters
  DinAttention raw(kD, rng, DType::Float64, small("sigmoid", false));
  DinAttention normalized(kD, same_rng, DType::Float64, small("sigmoid", true));
  const Tensor query = random_input({kB, 1, kD}, rng), keys = random_input({kB, kT, kD}, rng);
  const Tensor values = random_input({kB, kT, kD}, rng);
  const Tensor w_raw = raw.forward(query, keys, values, mask()).weights;
  const Tensor w_soft = normalized.forward(query, keys, values, mask()).weights;
  EXPECT_TRUE(AllClose(w_soft, softmax(w_raw, -1, reshape(mask(), {kB, 1, kT})), 1e-14));
  EXPECT_NEAR(sum(slice(w_soft, 0, 0, 1)).item(), 1.0, 1e-12);
  EXPECT_GT(std::abs(sum(slice(w_raw, 0, 0, 1)).item() - 1.0), 1e-3) << "raw weights came out normalised";
}

TEST(DinAttention, EmptyHistoryGivesZerosNotNaN) {
  Rng rng(4);
  for (bool normalize : {false, true}) {
    DinAttention din(kD, rng, DType::Float64, small("sigmoid", normalize));
    const AttentionOutput a = din.forward(random_input({kB, 1, kD}, rng), random_input({kB, kT, kD}, rng),
                                          random_input({kB, kT, kD}, rng), mask());
    for (double v : slice(a.output, 0, 2, 3).to_vector()) EXPECT_EQ(v, 0.0);
    for (double v : slice(a.weights, 0, 2, 3).to_vector()) EXPECT_EQ(v, 0.0);
  }
}

TEST(DinAttention, GradcheckWithMixedLengthsAndEmptyHistory) {
  for (const char* activation : {"sigmoid", "prelu", "dice"})
    for (bool normalize : {false, true}) {
      SCOPED_TRACE(std::string(activation) + (normalize ? " softmax" : " raw"));
      Rng rng(5);
      DinAttention din(kD, rng, DType::Float64, small(activation, normalize));
      EXPECT_GRADCHECK(
          [&](const std::vector<Tensor>& in) { return flat(din.forward(in[0], in[1], in[2], mask())); },
          with_parameters(
              {random_input({kB, 1, kD}, rng), random_input({kB, kT, kD}, rng), random_input({kB, kT, 2}, rng)}, din));
    }
}

TEST(DinAttention, SeveralQueriesEqualOneAtATime) {
  Rng rng(6);
  DinAttention din(kD, rng, DType::Float64, small());
  const Tensor query = random_input({kB, 2, kD}, rng), keys = random_input({kB, kT, kD}, rng);
  const Tensor values = random_input({kB, kT, 2}, rng);
  const AttentionOutput both = din.forward(query, keys, values, mask());
  for (std::size_t i = 0; i < 2; ++i) {
    const AttentionOutput one = din.forward(slice(query, 1, i, i + 1), keys, values, mask());
    EXPECT_TRUE(AllClose(slice(both.output, 1, i, i + 1), one.output, 1e-14));
    EXPECT_TRUE(AllClose(slice(both.weights, 1, i, i + 1), one.weights, 1e-14));
  }
}

TEST(DinAttention, PermutingHistoryPermutesWeightsAndKeepsOutput) {
  Rng rng(7);
  DinAttention din(kD, rng, DType::Float64, small());
  const Tensor query = random_input({kB, 1, kD}, rng), keys = random_input({kB, kT, kD}, rng);
  const Tensor values = random_input({kB, kT, kD}, rng);
  const std::vector<std::size_t> order{1, 3, 0, 2};
  const AttentionOutput a = din.forward(query, keys, values, mask());
  const AttentionOutput p =
      din.forward(query, reorder(keys, 1, order), reorder(values, 1, order), reorder(mask(), 1, order));
  EXPECT_TRUE(AllClose(p.output, a.output, 1e-12));
  EXPECT_TRUE(AllClose(p.weights, reorder(a.weights, 2, order), 1e-12));
}

TEST(DinAttention, WrongQuerySizeThrowsNamingTheLayer) {
  Rng rng(8);
  DinAttention din(kD, rng);
  try {
    din.forward(Tensor::zeros({2, 1, 4}), Tensor::zeros({2, 5, 4}), Tensor::zeros({2, 5, 4}));
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("DinAttention"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 1, 4]"), std::string::npos) << e.what();
  }
}

TEST(DinAttention, PaddingNeverReachesTheUnitSoDiceStatisticsIgnoreIt) {
  // The same real keys padded to T = 4 and to T = 6 (with different junk in the padded slots) give
  // the same weights in training mode, where Dice normalises with batch statistics.
  Rng rng(9);
  DinAttention din(kD, rng, DType::Float64, small("dice"));
  const Tensor query = random_input({kB, 1, kD}, rng), keys = random_input({kB, kT, kD}, rng);
  const Tensor longer = concat({keys, random_input({kB, 2, kD}, rng)}, 1);
  const AttentionOutput short_pad = din.forward(query, keys, keys, mask());
  const AttentionOutput long_pad = din.forward(query, longer, longer, padding_mask(kLengths, kT + 2, DType::Float64));
  const std::vector<double> a = short_pad.weights.to_vector(), b = slice(long_pad.weights, 2, 0, kT).to_vector();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-12) << i;
  for (double v : slice(long_pad.weights, 2, kT, kT + 2).to_vector()) EXPECT_EQ(v, 0.0);
}

TEST(DinAttention, FusedFormEqualsThePapersFeaturesThroughTheMlp) {
  // Two queries per batch row, mixed lengths and an empty history; Dice in training mode, so the
  // batch statistics (over the real pairs only), their gradients and the running statistics must
  // agree too.
  for (const char* activation : {"dice", "prelu", "sigmoid"})
    for (bool normalize : {false, true}) {
      SCOPED_TRACE(std::string(activation) + (normalize ? " softmax" : " raw"));
      Rng rng(10);
      expect_fused_equals_reference<DinAttention>(
          [&] {
            Rng seeded(11);
            return std::make_shared<DinAttention>(kD, seeded, DType::Float64, small(activation, normalize));
          },
          [](DinAttention& layer, const std::vector<Tensor>& in) {
            return flat(layer.forward(in[0], in[1], in[2], mask()));
          },
          {random_input({kB, 2, kD}, rng), random_input({kB, kT, kD}, rng), random_input({kB, kT, 2}, rng)},
          "din_pair_linear");
    }
}

TEST(DinAttention, ReferenceFormAlsoKeepsPaddingAwayFromDiceStatistics) {
  Rng rng(12);
  DinAttention din(kD, rng, DType::Float64, small("dice"));
  din.set_fused_kernels(false);
  const Tensor query = random_input({kB, 1, kD}, rng), keys = random_input({kB, kT, kD}, rng);
  const Tensor longer = concat({keys, random_input({kB, 2, kD}, rng)}, 1);
  const Tensor short_pad = din.forward(query, keys, keys, mask()).weights;
  const Tensor long_pad = din.forward(query, longer, longer, padding_mask(kLengths, kT + 2, DType::Float64)).weights;
  EXPECT_TRUE(AllClose(slice(long_pad, 2, 0, kT), short_pad, 1e-12));
}
