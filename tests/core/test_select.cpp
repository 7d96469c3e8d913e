// where, masked_fill, padding_mask: gradients flow to the chosen values only, never to the condition.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(Select, WhereGradcheckWithBroadcasting) {
  Rng rng(1);
  const Tensor cond = Tensor::from_vector({3, 1}, {1, 0, 1}, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return where(cond, in[0], in[1]); }, {param({3, 4}, rng), param({4}, rng)});
  // A condition larger than both values: the gradients are summed back to [4] and [].
  const Tensor big = Tensor::from_vector({2, 1, 4}, {1, 0, 0, 1, 0, 1, 1, 0}, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return where(big, in[0], in[1]); }, {param({4}, rng), param({}, rng)});
}

TEST(Select, MaskedFillGradcheck) {
  Rng rng(2);
  const Tensor mask = Tensor::from_vector({2, 1, 4}, {0, 1, 1, 0, 0, 0, 0, 1}, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return masked_fill(in[0], mask, -1e9); }, {param({2, 3, 4}, rng)});
}

TEST(Select, MatchesPyTorch) {
  expect_matches_torch("where", {"cond", "a", "b"}, [](const Inputs& in) { return where(in[0], in[1], in[2]); });
  expect_matches_torch("masked_fill", {"x", "mask"}, [](const Inputs& in) { return masked_fill(in[0], in[1], -1e9); });
}

TEST(Select, PaddingMaskMatchesPyTorch) {
  std::vector<std::size_t> lengths;
  for (double v : fixture_tensor("ops.json", "padding_mask.lengths").to_vector()) lengths.push_back(std::size_t(v));
  const Tensor expected = fixture_tensor("ops.json", "padding_mask.output");
  EXPECT_TRUE(AllClose(padding_mask(lengths, 4, DType::Float64), expected, 0.0));
  EXPECT_EQ(padding_mask(lengths, 4).dtype(), DType::Float32);
}

TEST(Select, ConditionAndMaskGetNoGradient) {
  Tensor cond = Tensor::from_vector({2}, {1, 0}, DType::Float64).requires_grad_();
  Tensor a = Tensor::from_vector({2}, {1, 2}, DType::Float64).requires_grad_();
  Tensor b = Tensor::from_vector({2}, {3, 4}, DType::Float64).requires_grad_();
  sum(where(cond, a, b) + masked_fill(a, cond, 0.0)).backward();
  EXPECT_FALSE(cond.grad().defined());
  EXPECT_EQ(a.grad().to_vector(), (std::vector<double>{1, 1}));  // where picks a[0]; masked_fill keeps a[1]
  EXPECT_EQ(b.grad().to_vector(), (std::vector<double>{0, 1}));
}

TEST(Select, LengthLongerThanTNamesItInTheError) {
  EXPECT_TRUE(ThrowsNaming([] { padding_mask({2, 5}, 4); }, {"padding_mask", "lengths[1] = 5", "T = 4"}));
}

TEST(Select, ShapesThatDoNotBroadcastAreNamed) {
  const Tensor cond = Tensor::ones({2, 3});
  EXPECT_TRUE(ThrowsNaming([&] { where(cond, Tensor::ones({2, 3}), Tensor::ones({4})); }, {"where", "[2, 3]", "[4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { where(Tensor::ones({5}), Tensor::ones({2, 3}), Tensor::ones({3})); },
                           {"where", "[5]", "[2, 3]"}));
  // The mask may broadcast to x, but x does not grow to the mask.
  EXPECT_TRUE(ThrowsNaming([] { masked_fill(Tensor::ones({3, 4}), Tensor::ones({2, 3, 4}), 0.0); },
                           {"masked_fill", "[2, 3, 4]", "[3, 4]"}));
}
