// softmax and log_softmax: gradients with and without masks, PyTorch's values, and the properties
// attention relies on (rows sum to 1, fully masked rows are zeros, huge logits stay finite).
#include <cmath>

#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// A key padding mask [B, 1, 1, T] for scores [B, h, 1, T]: sample 0 leaves out keys 2 and 4,
// sample 1 leaves out every key (an empty history).
Tensor key_padding_mask(DType dtype = DType::Float64) {
  return Tensor::from_vector({2, 1, 1, 5}, {0, 0, 1, 0, 1, 1, 1, 1, 1, 1}, dtype);
}

// A mask of x's own shape [2, 3, 4]: rows partially masked, row (1, 2) fully masked, row (0, 0) not at all.
Tensor row_mask() {
  return Tensor::from_vector({2, 3, 4}, {0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1},
                             DType::Float64);
}

bool all_finite(const Tensor& t) {
  for (double v : t.to_vector())
    if (!std::isfinite(v)) return false;
  return true;
}
}  // namespace

TEST(Softmax, GradcheckAlongEachAxis) {
  Rng rng(1);
  for (int axis : {0, 1, -1}) {
    SCOPED_TRACE(::testing::Message() << "axis " << axis);
    EXPECT_GRADCHECK([&](const Inputs& in) { return softmax(in[0], axis); }, {param({2, 3, 4}, rng)});
    EXPECT_GRADCHECK([&](const Inputs& in) { return log_softmax(in[0], axis); }, {param({2, 3, 4}, rng)});
  }
}

TEST(Softmax, GradcheckWithBroadcastKeyPaddingMask) {
  Rng rng(2);
  const Tensor mask = key_padding_mask();
  EXPECT_GRADCHECK([&](const Inputs& in) { return softmax(in[0], -1, mask); }, {param({2, 2, 1, 5}, rng)});
  EXPECT_GRADCHECK([&](const Inputs& in) { return log_softmax(in[0], -1, mask); }, {param({2, 2, 1, 5}, rng)});
}

TEST(Softmax, GradcheckWithPartiallyAndFullyMaskedRows) {
  Rng rng(3);
  const Tensor mask = row_mask();
  EXPECT_GRADCHECK([&](const Inputs& in) { return softmax(in[0], -1, mask); }, {param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK([&](const Inputs& in) { return log_softmax(in[0], -1, mask); }, {param({2, 3, 4}, rng)});
}

TEST(Softmax, GradcheckWithMaskAlongAnInnerAxis) {
  // Mask [2, 3, 1] over x [2, 3, 4] normalised along axis 1: the lines are strided.
  Rng rng(4);
  const Tensor mask = Tensor::from_vector({2, 3, 1}, {0, 1, 0, 1, 1, 1}, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return softmax(in[0], 1, mask); }, {param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK([&](const Inputs& in) { return log_softmax(in[0], 1, mask); }, {param({2, 3, 4}, rng)});
}

TEST(Softmax, GradcheckFollowedByAWeightedSum) {
  // The attention pattern: weights = softmax(scores), output = weights x values.
  Rng rng(5);
  const Tensor mask = key_padding_mask();
  EXPECT_GRADCHECK([&](const Inputs& in) { return matmul(softmax(in[0], -1, mask), in[1]); },
                   {param({2, 2, 1, 5}, rng), param({2, 2, 5, 3}, rng)});
}

TEST(Softmax, MatchesPyTorch) {
  expect_matches_torch("softmax", {"x"}, [](const Inputs& in) { return softmax(in[0], -1); });
  expect_matches_torch("softmax_axis1", {"x"}, [](const Inputs& in) { return softmax(in[0], 1); });
  expect_matches_torch("softmax_masked", {"x", "mask"}, [](const Inputs& in) { return softmax(in[0], -1, in[1]); });
  expect_matches_torch("log_softmax", {"x"}, [](const Inputs& in) { return log_softmax(in[0], -1); });
  expect_matches_torch("log_softmax_axis0", {"x"}, [](const Inputs& in) { return log_softmax(in[0], 0); });
  expect_matches_torch("log_softmax_masked", {"x", "mask"},
                       [](const Inputs& in) { return log_softmax(in[0], -1, in[1]); });
}

TEST(Softmax, UnmaskedEntriesOfEachRowSumToOne) {
  Rng rng(6);
  const Tensor x = Tensor::randn({2, 3, 4}, rng, DType::Float64) * 5.0;
  for (int axis : {0, 1, 2}) {
    const std::vector<double> sums = sum(softmax(x, axis), {axis}).to_vector();
    for (double s : sums) EXPECT_NEAR(s, 1.0, 1e-12) << "axis " << axis;
  }
  const Tensor mask = row_mask();
  const Tensor kept = sum(Tensor::ones({2, 3, 4}, DType::Float64) - mask, {-1});  // entries kept per row
  const std::vector<double> sums = sum(softmax(x, -1, mask), {-1}).to_vector(), n = kept.to_vector();
  for (std::size_t r = 0; r < sums.size(); ++r) EXPECT_NEAR(sums[r], n[r] > 0 ? 1.0 : 0.0, 1e-12) << "row " << r;
}

TEST(Softmax, MaskedEntriesGetZeroWeightAndLogSoftmaxZero) {
  Rng rng(7);
  const Tensor x = Tensor::randn({2, 3, 4}, rng, DType::Float64);
  const std::vector<double> mask = row_mask().to_vector();
  const std::vector<double> p = softmax(x, -1, row_mask()).to_vector(), lp = log_softmax(x, -1, row_mask()).to_vector();
  for (std::size_t k = 0; k < mask.size(); ++k) {
    if (mask[k] == 0) {
      EXPECT_NEAR(lp[k], std::log(p[k]), 1e-12) << k;
      continue;
    }
    EXPECT_EQ(p[k], 0.0) << k;
    EXPECT_EQ(lp[k], 0.0) << k;
  }
}

TEST(Softmax, FullyMaskedRowIsZerosWithZeroGradientAndNoNaN) {
  for (DType d : {DType::Float32, DType::Float64}) {
    for (bool take_log : {false, true}) {
      SCOPED_TRACE(::testing::Message() << dtype_name(d) << (take_log ? " log_softmax" : " softmax"));
      Rng rng(8);
      Tensor scores = Tensor::randn({2, 2, 1, 5}, rng, d).requires_grad_();
      const Tensor mask = key_padding_mask(d);
      const Tensor y = take_log ? log_softmax(scores, -1, mask) : softmax(scores, -1, mask);
      EXPECT_TRUE(all_finite(y));
      sum(y * Tensor::randn({2, 2, 1, 5}, rng, d)).backward();
      ASSERT_TRUE(all_finite(scores.grad()));
      for (std::size_t h = 0; h < 2; ++h)
        for (std::size_t t = 0; t < 5; ++t) {  // sample 1 masks every key
          EXPECT_EQ(y.at({1, h, 0, t}), 0.0);
          EXPECT_EQ(scores.grad().at({1, h, 0, t}), 0.0);
        }
    }
  }
}

TEST(Softmax, HugeLogitsGiveFiniteExactValues) {
  for (DType d : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(d));
    Tensor x = Tensor::from_vector({2, 3}, {1e4, -1e4, 0, -1e4, -1e4 + 1, -1e4}, d).requires_grad_();
    const Tensor p = softmax(x, -1);
    EXPECT_EQ(p.at({0, 0}), 1.0);
    EXPECT_EQ(p.at({0, 1}), 0.0);
    EXPECT_NEAR(p.at({1, 1}), std::exp(1.0) / (std::exp(1.0) + 2.0), 1e-6);  // shifted logits are exact
    const Tensor lp = log_softmax(x, -1);
    EXPECT_TRUE(all_finite(lp));
    EXPECT_NEAR(lp.at({0, 1}), -2e4, 1e-3);
    sum(lp).backward();
    EXPECT_TRUE(all_finite(x.grad()));
  }
}

TEST(Softmax, ShiftingTheLogitsChangesNothing) {
  Rng rng(9);
  const Tensor x = Tensor::randn({3, 4}, rng, DType::Float64);
  EXPECT_TRUE(AllClose(softmax(x + 700.0, -1), softmax(x, -1), 1e-12));
  EXPECT_TRUE(AllClose(log_softmax(x - 700.0, -1), log_softmax(x, -1), 1e-10));
}

TEST(Softmax, MaskThatDoesNotBroadcastNamesBothShapes) {
  const Tensor x = Tensor::ones({2, 4});
  EXPECT_TRUE(ThrowsNaming([&] { softmax(x, -1, Tensor::ones({2, 3})); }, {"softmax", "[2, 3]", "[2, 4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { log_softmax(x, -1, Tensor::ones({3, 2, 4})); },
                           {"log_softmax", "[3, 2, 4]", "[2, 4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { softmax(x, 2); }, {"softmax", "axis 2", "rank 2"}));
}
