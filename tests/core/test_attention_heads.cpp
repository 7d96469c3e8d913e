// head_scores and head_mix, multi-head attention's products on unsplit [B, T, D] projections:
// gradients, and agreement with the plain form that splits the heads into [B, h, T, hd] copies.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
constexpr std::size_t kHeads = 2;

// [B, T, D] -> [B, h, T, hd] and back: the copies the fused ops avoid.
Tensor split_heads(const Tensor& x) {
  return transpose(reshape(x, {x.size(0), x.size(1), kHeads, x.size(2) / kHeads}), 1, 2);
}
Tensor merge_heads(const Tensor& x) {
  return reshape(transpose(x, 1, 2), {x.size(0), x.size(2), x.size(1) * x.size(3)});
}

Tensor fused_scores(const Inputs& in) { return head_scores(in[0], in[1], kHeads, 0.5); }
Tensor plain_scores(const Inputs& in) { return matmul(split_heads(in[0]), transpose(split_heads(in[1]), 2, 3)) * 0.5; }
Tensor fused_mix(const Inputs& in) { return head_mix(in[0], in[1]); }
Tensor plain_mix(const Inputs& in) { return merge_heads(matmul(in[0], split_heads(in[1]))); }

// f's output and its inputs' gradients of sum(f * grad_output), on fresh leaves.
std::vector<Tensor> output_and_grads(const Op& f, const Inputs& values, const Tensor& grad_output) {
  Inputs leaves;
  for (const Tensor& v : values) leaves.push_back(v.detach().requires_grad_());
  const Tensor y = f(leaves);
  y.backward(grad_output);
  std::vector<Tensor> out{y};
  for (const Tensor& leaf : leaves) out.push_back(leaf.grad());
  return out;
}

void expect_same(const Op& fused, const Op& plain, const Inputs& values, const Shape& out_shape, Rng& rng) {
  const Tensor grad_output = Tensor::uniform(out_shape, -1, 1, rng, DType::Float64);
  const auto a = output_and_grads(fused, values, grad_output), b = output_and_grads(plain, values, grad_output);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(AllClose(a[i], b[i], 1e-12)) << "entry " << i;
}
}  // namespace

TEST(HeadScores, Gradcheck) {
  Rng rng(1);
  EXPECT_GRADCHECK(fused_scores, {param({2, 1, 4}, rng), param({2, 3, 4}, rng)});  // one query, as in pooling
  EXPECT_GRADCHECK(fused_scores, {param({2, 3, 4}, rng), param({2, 3, 4}, rng)});  // self-attention shapes
}

TEST(HeadScores, EqualsSplitHeadsMatmul) {
  Rng rng(2);
  expect_same(fused_scores, plain_scores, {param({3, 2, 6}, rng), param({3, 5, 6}, rng)}, {3, kHeads, 2, 5}, rng);
}

TEST(HeadScores, SameTensorAsQueryAndKeysSumsBothGradients) {
  Rng rng(3);
  EXPECT_GRADCHECK([](const Inputs& in) { return head_scores(in[0], in[0], kHeads, 0.5); }, {param({2, 3, 4}, rng)});
}

TEST(HeadMix, Gradcheck) {
  Rng rng(4);
  EXPECT_GRADCHECK(fused_mix, {param({2, kHeads, 1, 3}, rng), param({2, 3, 4}, rng)});
  EXPECT_GRADCHECK(fused_mix, {param({2, kHeads, 3, 3}, rng), param({2, 3, 4}, rng)});
}

TEST(HeadMix, EqualsMatmulThenMergeHeads) {
  Rng rng(5);
  expect_same(fused_mix, plain_mix, {param({3, kHeads, 2, 5}, rng), param({3, 5, 6}, rng)}, {3, 2, 6}, rng);
}

TEST(HeadOps, ShapeErrorsNameTheShapes) {
  EXPECT_TRUE(ThrowsNaming([] { head_scores(Tensor::ones({2, 1, 6}), Tensor::ones({2, 3, 4}), 2, 1.0); },
                           {"head_scores", "[2, 1, 6]", "[2, 3, 4]"}));
  EXPECT_TRUE(ThrowsNaming([] { head_scores(Tensor::ones({2, 1, 6}), Tensor::ones({2, 3, 6}), 4, 1.0); },
                           {"head_scores", "num_heads 4"}));
  EXPECT_TRUE(ThrowsNaming([] { head_mix(Tensor::ones({2, 2, 1, 3}), Tensor::ones({2, 4, 6})); },
                           {"head_mix", "[2, 2, 1, 3]", "[2, 4, 6]"}));
}
