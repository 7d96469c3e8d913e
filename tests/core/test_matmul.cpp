#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"

using namespace recgrad;

TEST(Matmul, TwoByTwoByHand) {
  Tensor a = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from_vector({2, 2}, {5, 6, 7, 8});
  EXPECT_EQ(matmul(a, b).to_vector(), (std::vector<double>{19, 22, 43, 50}));
}
