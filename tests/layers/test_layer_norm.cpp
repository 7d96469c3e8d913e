// LayerNorm: torch golden values and gradcheck with and without affine parameters.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/layer_norm.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(LayerNorm, MatchesPyTorchForwardAndGrads) {
  LayerNorm norm(5, DType::Float64);
  load_parameters(norm, "layers.json", "layer_norm.");
  Tensor x = fixture_tensor("layers.json", "layer_norm.x");
  x.requires_grad_();
  const Tensor y = norm.forward(x);
  EXPECT_TRUE(AllClose(y, fixture_tensor("layers.json", "layer_norm.output"), 1e-6));
  y.backward(fixture_tensor("layers.json", "layer_norm.grad_output"));
  EXPECT_TRUE(AllClose(x.grad(), fixture_tensor("layers.json", "layer_norm.x.grad"), 1e-6));
  EXPECT_TRUE(AllClose(norm.weight.grad(), fixture_tensor("layers.json", "layer_norm.weight.grad"), 1e-6));
  EXPECT_TRUE(AllClose(norm.bias.grad(), fixture_tensor("layers.json", "layer_norm.bias.grad"), 1e-6));
}

TEST(LayerNorm, GradcheckInputAndParameters) {
  Rng rng(1);
  LayerNorm norm(4, DType::Float64);
  for (Tensor p : norm.parameters()) p.copy_from(Tensor::randn(p.shape(), rng, DType::Float64));
  const auto f = [&](const std::vector<Tensor>& in) { return norm.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({2, 3, 4}, rng)}, norm));
}

TEST(LayerNorm, GradcheckWithoutAffine) {
  Rng rng(2);
  LayerNorm norm(4, DType::Float64, LayerNormOptions{1e-5, false});
  EXPECT_EQ(norm.parameter_count(), 0u);
  const auto f = [&](const std::vector<Tensor>& in) { return norm.forward(in[0]); };
  EXPECT_GRADCHECK(f, {random_input({3, 4}, rng)});
}

TEST(LayerNorm, RowsHaveZeroMeanAndUnitVariance) {
  Rng rng(3);
  LayerNorm norm(6, DType::Float64);
  const Tensor y = norm.forward(Tensor::randn({4, 6}, rng, DType::Float64) * 3.0 + 2.0);
  const Tensor row_mean = mean(y, {-1}), row_var = mean(y * y, {-1});
  for (double m : row_mean.to_vector()) EXPECT_NEAR(m, 0.0, 1e-12);
  for (double v : row_var.to_vector()) EXPECT_NEAR(v, 1.0, 1e-5);  // eps lowers it a little
}

TEST(LayerNorm, WrongLastAxisThrows) {
  LayerNorm norm(4);
  EXPECT_THROW(norm.forward(Tensor::zeros({2, 5})), std::invalid_argument);
}
