// Linear: torch golden values, gradcheck, init bounds, the fused op against the composed formula.
#include <cmath>

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/linear.h"
#include "tests/layers/fused_reference.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(Linear, MatchesPyTorchForwardAndGrads) {
  Rng rng(0);
  Linear layer(4, 5, rng, DType::Float64);
  load_parameters(layer, "layers.json", "linear.");
  Tensor x = fixture_tensor("layers.json", "linear.x");
  x.requires_grad_();
  const Tensor y = layer.forward(x);
  EXPECT_TRUE(AllClose(y, fixture_tensor("layers.json", "linear.output"), 1e-6));
  y.backward(fixture_tensor("layers.json", "linear.grad_output"));
  EXPECT_TRUE(AllClose(x.grad(), fixture_tensor("layers.json", "linear.x.grad"), 1e-6));
  EXPECT_TRUE(AllClose(layer.weight.grad(), fixture_tensor("layers.json", "linear.weight.grad"), 1e-6));
  EXPECT_TRUE(AllClose(layer.bias.grad(), fixture_tensor("layers.json", "linear.bias.grad"), 1e-6));
}

TEST(Linear, GradcheckInputAndParameters) {
  Rng rng(1);
  Linear layer(3, 2, rng, DType::Float64);
  const auto f = [&](const std::vector<Tensor>& in) { return layer.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({2, 2, 3}, rng)}, layer));
}

TEST(Linear, GradcheckWithoutBiasOnOneVector) {
  Rng rng(2);
  Linear layer(3, 2, rng, DType::Float64, LinearOptions{false});
  EXPECT_FALSE(layer.bias.defined());
  EXPECT_EQ(layer.parameter_count(), 6u);
  const auto f = [&](const std::vector<Tensor>& in) { return layer.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({3}, rng)}, layer));
}

TEST(Linear, InitIsTorchDefaultBoundAndSeeded) {
  Rng rng(3), same(3);
  Linear layer(16, 8, rng), twin(16, 8, same);
  const double bound = 1.0 / std::sqrt(16.0);
  double largest = 0;
  for (const Tensor& p : layer.parameters())
    for (double v : p.to_vector()) largest = std::max(largest, std::abs(v));
  EXPECT_LE(largest, bound);
  EXPECT_GT(largest, 0.8 * bound);  // 136 draws from U(-b, b) reach near the bound
  EXPECT_EQ(layer.weight.to_vector(), twin.weight.to_vector());
  EXPECT_EQ(layer.bias.to_vector(), twin.bias.to_vector());
}

TEST(Linear, WrongInputWidthThrows) {
  Rng rng(4);
  Linear layer(3, 2, rng);
  EXPECT_THROW(layer.forward(Tensor::zeros({2, 4})), std::invalid_argument);
}

TEST(Linear, FusedOpEqualsMatmulWithTransposedWeightPlusBias) {
  for (bool bias : {true, false})
    for (const Shape& shape : {Shape{3}, Shape{4, 3}, Shape{2, 5, 3}}) {
      SCOPED_TRACE(to_string(shape) + (bias ? " with bias" : " without bias"));
      Rng rng(5);
      expect_fused_equals_reference<Linear>(
          [bias] {
            Rng seeded(6);
            return std::make_shared<Linear>(3, 4, seeded, DType::Float64, LinearOptions{bias});
          },
          [](Linear& layer, const std::vector<Tensor>& in) { return layer.forward(in[0]); },
          {random_input(shape, rng)}, "linear");
    }
}
