// matmul: 2-D, batched, broadcast batch dims and the projection path; values from PyTorch; errors.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
Tensor product(const Inputs& in) { return matmul(in[0], in[1]); }
}  // namespace

TEST(Matmul, TwoByTwoByHand) {
  Tensor a = Tensor::from_vector({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from_vector({2, 2}, {5, 6, 7, 8});
  EXPECT_EQ(matmul(a, b).to_vector(), (std::vector<double>{19, 22, 43, 50}));
}

TEST(Matmul, Gradcheck2D) {
  Rng rng(1);
  EXPECT_GRADCHECK(product, {param({3, 4}, rng), param({4, 2}, rng)});
  EXPECT_GRADCHECK(product, {param({1, 5}, rng), param({5, 1}, rng)});
}

TEST(Matmul, GradcheckBatched) {
  Rng rng(2);
  EXPECT_GRADCHECK(product, {param({2, 3, 4, 5}, rng), param({2, 3, 5, 2}, rng)});
}

TEST(Matmul, GradcheckBroadcastBatchDims) {
  Rng rng(3);
  EXPECT_GRADCHECK(product, {param({2, 1, 3, 4}, rng), param({5, 4, 2}, rng)});
  EXPECT_GRADCHECK(product, {param({3, 4}, rng), param({2, 4, 2}, rng)});  // a 2-D left operand
}

TEST(Matmul, GradcheckAttentionScores) {
  // query [B, h, 1, d] x keysᵀ [B, h, d, T] -> scores [B, h, 1, T]
  Rng rng(4);
  EXPECT_GRADCHECK(product, {param({2, 2, 1, 3}, rng), param({2, 2, 3, 4}, rng)});
}

TEST(Matmul, GradcheckProjection) {
  // x [B, T, D] x weight [D, E]: the single-gemm path
  Rng rng(5);
  EXPECT_GRADCHECK(product, {param({2, 3, 4}, rng), param({4, 5}, rng)});
}

TEST(Matmul, GradcheckSameTensorOnBothSides) {
  Rng rng(6);
  EXPECT_GRADCHECK([](const Inputs& in) { return matmul(in[0], transpose(in[0], 0, 1)); }, {param({3, 4}, rng)});
}

TEST(Matmul, MatchesPyTorch) {
  for (const char* name : {"matmul_2d", "matmul_batched", "matmul_broadcast_batch", "matmul_attention_scores",
                           "matmul_projection"}) {
    SCOPED_TRACE(name);
    expect_matches_torch(name, {"a", "b"}, product);
  }
}

TEST(Matmul, InnerSizeMismatchNamesBothShapes) {
  EXPECT_TRUE(ThrowsNaming([] { matmul(Tensor::ones({2, 3}), Tensor::ones({4, 2})); }, {"matmul", "[2, 3]", "[4, 2]"}));
  EXPECT_TRUE(ThrowsNaming([] { matmul(Tensor::ones({3}), Tensor::ones({3, 2})); }, {"matmul", "[3]", "[3, 2]"}));
}

TEST(Matmul, BatchMismatchNamesTheBatchShapes) {
  EXPECT_TRUE(ThrowsNaming([] { matmul(Tensor::ones({2, 3, 4}), Tensor::ones({3, 4, 2})); }, {"matmul", "[2]", "[3]"}));
}
