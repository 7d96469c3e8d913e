// prelu, the fused PReLU: gradients with a shared slope and one per feature, and agreement with the
// composition relu(x) - weight * relu(-x) it replaces.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
Tensor fused(const Inputs& in) { return prelu(in[0], in[1]); }
Tensor composed(const Inputs& in) { return relu(in[0]) - in[1] * relu(-in[0]); }
}  // namespace

TEST(PReLUOp, GradcheckSharedAndPerFeatureSlopes) {
  Rng rng(1);
  EXPECT_GRADCHECK(fused, {param_away_from_zero({3, 4}, rng), param({1}, rng, 0.05, 0.5)});
  EXPECT_GRADCHECK(fused, {param_away_from_zero({2, 3, 4}, rng), param({4}, rng, 0.05, 0.5)});
}

TEST(PReLUOp, MatchesReluComposition) {
  Rng rng(2);
  for (std::size_t slopes : {1u, 5u}) {
    Inputs a{param_away_from_zero({6, 5}, rng), param({slopes}, rng, 0.05, 0.5)};
    Inputs b{a[0].detach().requires_grad_(), a[1].detach().requires_grad_()};
    const Tensor ya = fused(a), yb = composed(b);
    EXPECT_TRUE(AllClose(ya, yb, 1e-15));
    const Tensor grad_output = Tensor::uniform({6, 5}, -1, 1, rng, DType::Float64);
    ya.backward(grad_output);
    yb.backward(grad_output);
    EXPECT_TRUE(AllClose(a[0].grad(), b[0].grad(), 1e-15));
    EXPECT_TRUE(AllClose(a[1].grad(), b[1].grad(), 1e-12));
  }
}

TEST(PReLUOp, GradientAtZeroIsTheSlopeAsPyTorchs) {
  const Tensor x = Tensor::zeros({1, 2}, DType::Float64).requires_grad_();
  const Tensor weight = Tensor::full({2}, 0.25, DType::Float64);
  sum(prelu(x, weight)).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{0.25, 0.25}));
}

TEST(PReLUOp, SlopesThatDoNotFitThrowNamingTheShapes) {
  EXPECT_TRUE(
      ThrowsNaming([] { prelu(Tensor::zeros({2, 3}), Tensor::ones({4})); }, {"prelu", "x [2, 3]", "weight [4]"}));
  EXPECT_TRUE(ThrowsNaming([] { prelu(Tensor::zeros({2, 3}), Tensor::ones({1, 3})); }, {"prelu", "weight [1, 3]"}));
}
