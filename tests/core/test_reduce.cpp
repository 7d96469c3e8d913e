// Reductions: sum and mean over any axes (with and without keepdims) and max along one axis.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Axis sets of a [2, 3, 4] tensor: one axis, two, negative, all.
const std::vector<std::vector<int>> kAxes = {{0}, {1}, {-1}, {0, 2}, {2, 1}, {0, 1, 2}};
}  // namespace

TEST(Reduce, SumGradcheckOverSeveralAxes) {
  Rng rng(1);
  EXPECT_GRADCHECK([](const Inputs& in) { return sum(in[0]); }, {param({2, 3, 4}, rng)});
  for (const auto& axes : kAxes)
    for (bool keepdims : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "axes " << ::testing::PrintToString(axes) << " keepdims " << keepdims);
      EXPECT_GRADCHECK([&](const Inputs& in) { return sum(in[0], axes, keepdims); }, {param({2, 3, 4}, rng)});
    }
}

TEST(Reduce, MeanGradcheckOverSeveralAxes) {
  Rng rng(2);
  EXPECT_GRADCHECK([](const Inputs& in) { return mean(in[0]); }, {param({2, 3, 4}, rng)});
  for (const auto& axes : kAxes)
    for (bool keepdims : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "axes " << ::testing::PrintToString(axes) << " keepdims " << keepdims);
      EXPECT_GRADCHECK([&](const Inputs& in) { return mean(in[0], axes, keepdims); }, {param({2, 3, 4}, rng)});
    }
}

TEST(Reduce, MaxGradcheckAlongEachAxis) {
  // Uniform values: ties (kinks of max) have probability zero.
  Rng rng(3);
  for (int axis : {0, 1, 2, -1})
    for (bool keepdims : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "axis " << axis << " keepdims " << keepdims);
      EXPECT_GRADCHECK([&](const Inputs& in) { return max(in[0], axis, keepdims); }, {param({2, 3, 4}, rng)});
    }
}

TEST(Reduce, MaxGradientGoesToTheFirstOfTiedMaxima) {
  Tensor x = Tensor::from_vector({4}, {1, 3, 3, 2}, DType::Float64).requires_grad_();
  max(x, 0).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{0, 1, 0, 0}));
}

TEST(Reduce, KeepdimsKeepsReducedAxesAsOne) {
  const Tensor x = Tensor::ones({2, 3, 4});
  EXPECT_EQ(sum(x, {0, 2}, true).shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(mean(x, {-1}).shape(), (Shape{2, 3}));
  EXPECT_EQ(max(x, 1, true).shape(), (Shape{2, 1, 4}));
  EXPECT_EQ(sum(x).shape(), Shape{});
}

TEST(Reduce, MatchesPyTorch) {
  expect_matches_torch("sum_all", {"x"}, [](const Inputs& in) { return sum(in[0]); });
  expect_matches_torch("sum_axes", {"x"}, [](const Inputs& in) { return sum(in[0], {0, 2}); });
  expect_matches_torch("sum_keepdims", {"x"}, [](const Inputs& in) { return sum(in[0], {-1}, true); });
  expect_matches_torch("mean_all", {"x"}, [](const Inputs& in) { return mean(in[0]); });
  expect_matches_torch("mean_axes", {"x"}, [](const Inputs& in) { return mean(in[0], {0, 2}); });
  expect_matches_torch("mean_keepdims", {"x"}, [](const Inputs& in) { return mean(in[0], {1}, true); });
  expect_matches_torch("max_axis", {"x"}, [](const Inputs& in) { return max(in[0], 1); });
  expect_matches_torch("max_keepdims", {"x"}, [](const Inputs& in) { return max(in[0], -1, true); });
}

TEST(Reduce, BadAxesAreNamedInTheError) {
  const Tensor x = Tensor::ones({2, 3, 4});
  EXPECT_TRUE(ThrowsNaming([&] { sum(x, {3}); }, {"sum", "axis 3", "rank 3"}));
  EXPECT_TRUE(ThrowsNaming([&] { mean(x, {-4}); }, {"mean", "axis -4", "rank 3"}));
  EXPECT_TRUE(ThrowsNaming([&] { sum(x, {1, -2}); }, {"sum", "given twice"}));
  EXPECT_TRUE(ThrowsNaming([&] { max(x, 5); }, {"max", "axis 5", "rank 3"}));
  EXPECT_TRUE(ThrowsNaming([] { max(Tensor::ones({2, 0}), 1); }, {"max", "empty"}));
}
