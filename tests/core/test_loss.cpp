// bce_with_logits: the click loss.
#include <cmath>

#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(Loss, BceWithLogitsGradcheck) {
  Rng rng(1);
  const Tensor clicks = Tensor::from_vector({5}, {1, 0, 0, 1, 1}, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return bce_with_logits(in[0], clicks); }, {param({5}, rng, -4.0, 4.0)});
  const Tensor soft = Tensor::uniform({4, 3}, 0.0, 1.0, rng, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return bce_with_logits(in[0], soft); }, {param({4, 3}, rng, -4.0, 4.0)});
}

TEST(Loss, BceWithLogitsMatchesPyTorch) {
  expect_matches_torch("bce_with_logits", {"logits", "targets"},
                       [](const Inputs& in) { return bce_with_logits(in[0], in[1]); });
}

TEST(Loss, BceWithLogitsEqualsTheTextbookFormula) {
  // -[y log σ(x) + (1 - y) log(1 - σ(x))], averaged; fine for moderate logits.
  const std::vector<double> x = {-2.0, 0.3, 1.5}, y = {0.0, 1.0, 0.25};
  double expected = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const double s = 1 / (1 + std::exp(-x[i]));
    expected -= (y[i] * std::log(s) + (1 - y[i]) * std::log(1 - s)) / 3;
  }
  const double loss =
      bce_with_logits(Tensor::from_vector({3}, x, DType::Float64), Tensor::from_vector({3}, y, DType::Float64)).item();
  EXPECT_NEAR(loss, expected, 1e-15);
}

TEST(Loss, HugeLogitsGiveFiniteLossAndGradient) {
  for (DType d : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(d));
    Tensor logits = Tensor::from_vector({4}, {1e4, -1e4, 1e4, -1e4}, d).requires_grad_();
    const Tensor clicks = Tensor::from_vector({4}, {1, 0, 0, 1}, d);
    const Tensor loss = bce_with_logits(logits, clicks);
    EXPECT_EQ(loss.item(), 5000.0);  // confident and right: 0; confident and wrong: 1e4 each
    loss.backward();
    EXPECT_EQ(logits.grad().to_vector(), (std::vector<double>{0, 0, 0.25, -0.25}));  // (σ(x) - y) / N
  }
}

TEST(Loss, TargetsGetNoGradient) {
  Tensor logits = Tensor::from_vector({2}, {0.5, -0.5}, DType::Float64).requires_grad_();
  Tensor targets = Tensor::from_vector({2}, {1, 0}, DType::Float64).requires_grad_();
  bce_with_logits(logits, targets).backward();
  EXPECT_TRUE(logits.grad().defined());
  EXPECT_FALSE(targets.grad().defined());
}

TEST(Loss, MismatchedShapesNameBoth) {
  EXPECT_TRUE(ThrowsNaming([] { bce_with_logits(Tensor::zeros({4, 1}), Tensor::zeros({4})); },
                           {"bce_with_logits", "[4, 1]", "[4]"}));
  EXPECT_TRUE(
      ThrowsNaming([] { bce_with_logits(Tensor::zeros({0}), Tensor::zeros({0})); }, {"bce_with_logits", "empty"}));
}
