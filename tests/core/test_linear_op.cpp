// linear(x, W, b) = x Wᵀ + b, the fused op behind Linear: gradients, agreement with the plain
// composition matmul(x, Wᵀ) + b it replaces, and shape errors.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
Tensor affine(const Inputs& in) { return linear(in[0], in[1], in[2]); }
Tensor affine_without_bias(const Inputs& in) { return linear(in[0], in[1]); }
Tensor composed(const Inputs& in) { return matmul(in[0], transpose(in[1], 0, 1)) + in[2]; }

// Output and the three gradients of sum(f(x, W, b) * grad_output), fresh leaves per call.
std::vector<std::vector<double>> output_and_grads(const Op& f, const Inputs& values, const Tensor& grad_output) {
  Inputs leaves;
  for (const Tensor& v : values) leaves.push_back(v.detach().requires_grad_());
  const Tensor y = f(leaves);
  y.backward(grad_output);
  return {y.to_vector(), leaves[0].grad().to_vector(), leaves[1].grad().to_vector(), leaves[2].grad().to_vector()};
}
}  // namespace

TEST(LinearOp, Gradcheck) {
  Rng rng(1);
  EXPECT_GRADCHECK(affine, {param({3, 4}, rng), param({2, 4}, rng), param({2}, rng)});
  EXPECT_GRADCHECK(affine, {param({2, 3, 4}, rng), param({5, 4}, rng), param({5}, rng)});  // rows over two axes
  EXPECT_GRADCHECK(affine, {param({4}, rng), param({3, 4}, rng), param({3}, rng)});        // a single vector
  EXPECT_GRADCHECK(affine_without_bias, {param({3, 4}, rng), param({2, 4}, rng)});
}

TEST(LinearOp, MatchesMatmulPlusBiasToTheLastBit) {
  Rng rng(2);
  const Inputs values{param({2, 5, 6}, rng), param({3, 6}, rng), param({3}, rng)};
  const Tensor grad_output = Tensor::uniform({2, 5, 3}, -1, 1, rng, DType::Float64);
  const auto fused = output_and_grads(affine, values, grad_output);
  const auto plain = output_and_grads(composed, values, grad_output);
  for (std::size_t i = 0; i < fused.size(); ++i) {
    ASSERT_EQ(fused[i].size(), plain[i].size());
    for (std::size_t j = 0; j < fused[i].size(); ++j) EXPECT_NEAR(fused[i][j], plain[i][j], 1e-12) << i << "," << j;
  }
}

TEST(LinearOp, ShapeErrorsNameTheShapes) {
  Rng rng(3);
  const Tensor x = param({3, 4}, rng), weight = param({2, 5}, rng), bias = param({3}, rng);
  EXPECT_TRUE(ThrowsNaming([&] { linear(x, weight); }, {"linear", "x [3, 4]", "weight [2, 5]"}));
  EXPECT_TRUE(ThrowsNaming([&] { linear(x, param({2, 4}, rng), bias); }, {"linear", "bias [3]"}));
}
