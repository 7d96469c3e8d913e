// Dropout: inverted scaling, identity in eval, seeded reproducibility, gradient through the same mask.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/dropout.h"
#include "tests/test_util.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(Dropout, IdentityInEval) {
  Rng rng(1);
  Dropout dropout(0.5, 7);
  dropout.eval();
  const Tensor x = Tensor::randn({3, 4}, rng);
  EXPECT_EQ(dropout.forward(x).to_vector(), x.to_vector());
}

TEST(Dropout, SameSeedSameMasksOtherSeedOthers) {
  const Tensor x = Tensor::ones({200}, DType::Float64);
  Dropout a(0.3, 42), b(0.3, 42), c(0.3, 43);
  const std::vector<double> ya = a.forward(x).to_vector();
  EXPECT_EQ(ya, b.forward(x).to_vector());
  EXPECT_NE(ya, c.forward(x).to_vector());
  EXPECT_NE(ya, a.forward(x).to_vector());  // the next call draws a new mask
}

TEST(Dropout, ZeroesAboutPAndScalesSurvivors) {
  Dropout dropout(0.25, 3);
  const std::vector<double> y = dropout.forward(Tensor::ones({4000}, DType::Float64)).to_vector();
  std::size_t zeros = 0;
  for (double v : y) {
    if (v == 0) ++zeros;
    else EXPECT_DOUBLE_EQ(v, 1.0 / 0.75);
  }
  EXPECT_NEAR(static_cast<double>(zeros) / y.size(), 0.25, 0.03);  // 4.4 standard deviations
}

TEST(Dropout, GradientUsesTheForwardMask) {
  Rng rng(4);
  Dropout dropout(0.5, 5);
  Tensor x = Tensor::uniform({20}, 1.0, 2.0, rng, DType::Float64);
  x.requires_grad_();
  const Tensor y = dropout.forward(x);
  sum(y).backward();
  // dy/dx = mask / (1 - p) = y / x elementwise.
  EXPECT_TRUE(AllClose(x.grad(), y.detach() / x.detach(), 1e-12));
}

TEST(Dropout, POutsideZeroToOneThrows) {
  EXPECT_THROW(Dropout(1.0, 1), std::invalid_argument);
  EXPECT_THROW(Dropout(-0.1, 1), std::invalid_argument);
  EXPECT_NO_THROW(Dropout(0.0, 1));
}
