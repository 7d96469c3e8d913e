#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"

using namespace recgrad;

TEST(Elementwise, AddBroadcastsAndReducesGradient) {
  Rng rng(1);
  Tensor a = Tensor::randn({2, 3, 4}, rng, DType::Float64).requires_grad_();
  Tensor b = Tensor::randn({4}, rng, DType::Float64).requires_grad_();
  auto r = gradcheck([](const std::vector<Tensor>& in) { return in[0] + in[1]; }, {a, b});
  EXPECT_TRUE(r.ok) << r.message;
}
