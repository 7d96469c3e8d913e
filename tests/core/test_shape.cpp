// Shape ops: reshape, transpose, permute, concat, slice, split.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(Shape, ReshapeGradcheck) {
  Rng rng(1);
  EXPECT_GRADCHECK([](const Inputs& in) { return reshape(in[0], {4, 6}); }, {param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return reshape(in[0], {24}); }, {param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return reshape(in[0], {}); }, {param({1, 1}, rng)});
}

TEST(Shape, TransposeGradcheck) {
  Rng rng(2);
  EXPECT_GRADCHECK([](const Inputs& in) { return transpose(in[0], 0, 1); }, {param({3, 4}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return transpose(in[0], -2, -1); }, {param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return transpose(in[0], 0, 2); }, {param({2, 3, 4}, rng)});
}

TEST(Shape, PermuteGradcheck) {
  Rng rng(3);
  // [B, T, h, d] -> [B, h, T, d], the split into heads
  EXPECT_GRADCHECK([](const Inputs& in) { return permute(in[0], {0, 2, 1, 3}); }, {param({2, 3, 2, 2}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return permute(in[0], {2, 0, 1}); }, {param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return permute(in[0], {0, 1, 2}); }, {param({2, 3, 4}, rng)});
}

TEST(Shape, PermuteMovesEachElementWhereTheAxesSay) {
  Rng rng(4);
  const Tensor x = Tensor::randn({2, 3, 4, 5}, rng);
  const Tensor y = permute(x, {3, 1, 0, 2});
  ASSERT_EQ(y.shape(), (Shape{5, 3, 2, 4}));
  for (std::size_t a = 0; a < 2; ++a)
    for (std::size_t b = 0; b < 3; ++b)
      for (std::size_t c = 0; c < 4; ++c)
        for (std::size_t d = 0; d < 5; ++d) EXPECT_EQ(y.at({d, b, a, c}), x.at({a, b, c, d}));
}

TEST(Shape, ConcatGradcheckAlongEachAxis) {
  Rng rng(5);
  EXPECT_GRADCHECK([](const Inputs& in) { return concat({in[0], in[1], in[2]}, 1); },
                   {param({2, 2, 3}, rng), param({2, 3, 3}, rng), param({2, 1, 3}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return concat({in[0], in[1]}, 0); },
                   {param({1, 3}, rng), param({2, 3}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return concat({in[0], in[1]}, -1); },
                   {param({2, 3, 2}, rng), param({2, 3, 4}, rng)});
}

TEST(Shape, ConcatOfOneTensorWithItselfSumsBothGradients) {
  Rng rng(6);
  EXPECT_GRADCHECK([](const Inputs& in) { return concat({in[0], in[0] * 2.0, in[0]}, -1); }, {param({2, 3}, rng)});
}

TEST(Shape, SliceGradcheck) {
  Rng rng(7);
  EXPECT_GRADCHECK([](const Inputs& in) { return slice(in[0], 1, 1, 3); }, {param({2, 4, 3}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return slice(in[0], 0, 0, 1); }, {param({2, 4, 3}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return slice(in[0], -1, 2, 3); }, {param({2, 4, 3}, rng)});
}

TEST(Shape, SplitGradcheckThroughEveryPart) {
  Rng rng(8);
  EXPECT_GRADCHECK(
      [](const Inputs& in) {
        const std::vector<Tensor> parts = split(in[0], {1, 3, 1}, 1);
        return concat({parts[2] * 3.0, parts[0], exp(parts[1])}, 1);
      },
      {param({2, 5, 3}, rng)});
}

TEST(Shape, SplitPartsConcatenateBackToTheInput) {
  Rng rng(9);
  const Tensor x = Tensor::randn({3, 4, 2}, rng);
  const std::vector<Tensor> parts = split(x, {2, 0, 2}, 1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].shape(), (Shape{3, 0, 2}));
  EXPECT_EQ(concat(parts, 1).to_vector(), x.to_vector());
}

TEST(Shape, MatchesPyTorch) {
  expect_matches_torch("reshape", {"x"}, [](const Inputs& in) { return reshape(in[0], {4, 6}); });
  expect_matches_torch("transpose", {"x"}, [](const Inputs& in) { return transpose(in[0], -2, -1); });
  expect_matches_torch("permute", {"x"}, [](const Inputs& in) { return permute(in[0], {0, 2, 1, 3}); });
  expect_matches_torch("permute_cycle", {"x"}, [](const Inputs& in) { return permute(in[0], {2, 0, 1}); });
  expect_matches_torch("concat", {"a", "b", "c"}, [](const Inputs& in) { return concat(in, 1); });
  expect_matches_torch("concat_last", {"a", "b"}, [](const Inputs& in) { return concat(in, -1); });
  expect_matches_torch("slice", {"x"}, [](const Inputs& in) { return slice(in[0], 1, 1, 3); });
  expect_matches_torch("split", {"x"}, [](const Inputs& in) {
    const std::vector<Tensor> parts = split(in[0], {1, 3, 1}, 1);
    return concat({parts[2], parts[1], parts[0]}, 1);
  });
}

TEST(Shape, ReshapeToADifferentSizeNamesBothShapes) {
  EXPECT_TRUE(ThrowsNaming([] { reshape(Tensor::ones({2, 3}), {4, 2}); }, {"reshape", "[2, 3]", "[4, 2]"}));
}

TEST(Shape, BadPermutationNamesTheAxesAndShape) {
  const Tensor x = Tensor::ones({2, 3, 4});
  EXPECT_TRUE(ThrowsNaming([&] { permute(x, {0, 1, 1}); }, {"permute", "[0, 1, 1]", "[2, 3, 4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { permute(x, {0, 1}); }, {"permute", "[0, 1]", "[2, 3, 4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { permute(x, {0, 1, 3}); }, {"permute", "[0, 1, 3]"}));
  EXPECT_TRUE(ThrowsNaming([&] { transpose(x, 0, 3); }, {"transpose", "axis 3", "rank 3"}));
}

TEST(Shape, ConcatOfMismatchedShapesNamesThem) {
  EXPECT_TRUE(ThrowsNaming([] { concat({Tensor::ones({2, 3}), Tensor::ones({3, 3})}, 1); },
                           {"concat", "[3, 3]", "[2, 3]", "axis 1"}));
  EXPECT_TRUE(ThrowsNaming([] { concat({Tensor::ones({2, 3}), Tensor::ones({2, 3, 1})}, 0); },
                           {"concat", "[2, 3, 1]", "[2, 3]"}));
  EXPECT_TRUE(ThrowsNaming([] { concat({}, 0); }, {"concat", "no tensors"}));
}

TEST(Shape, SliceOutsideTheAxisNamesRangeAndShape) {
  EXPECT_TRUE(ThrowsNaming([] { slice(Tensor::ones({2, 4}), 1, 2, 5); }, {"slice", "[2, 5)", "[2, 4]"}));
  EXPECT_TRUE(ThrowsNaming([] { slice(Tensor::ones({2, 4}), 1, 3, 2); }, {"slice", "[3, 2)"}));
}

TEST(Shape, SplitSizesThatDoNotAddUpAreNamed) {
  EXPECT_TRUE(ThrowsNaming([] { split(Tensor::ones({2, 5}), {2, 2}, 1); }, {"split", "add up to 4", "[2, 5]", "5"}));
}
