// MLP: layer names, composition, gradcheck with learned activations, dropout only in training.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/mlp.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(MLP, NamesLayersAndActivationsBetweenThem) {
  Rng rng(1);
  MLP mlp({4, 3, 2, 1}, "prelu", 0.0, rng);
  std::vector<std::string> names;
  for (const auto& entry : mlp.named_parameters()) names.push_back(entry.first);
  EXPECT_EQ(names, (std::vector<std::string>{"layers.0.weight", "layers.0.bias", "activations.0.weight",
                                             "layers.1.weight", "layers.1.bias", "activations.1.weight",
                                             "layers.2.weight", "layers.2.bias"}));
  EXPECT_EQ(mlp.parameter_count(), (4 * 3 + 3) + 3 + (3 * 2 + 2) + 2 + (2 * 1 + 1));
  EXPECT_EQ(mlp.in_features(), 4u);
  EXPECT_EQ(mlp.out_features(), 1u);
}

TEST(MLP, IsLinearActivationLinearWithNothingAfterTheLast) {
  Rng rng(2), same(2);
  MLP mlp({3, 4, 2}, "sigmoid", 0.0, rng, DType::Float64);
  Linear first(3, 4, same, DType::Float64), second(4, 2, same, DType::Float64);  // the same draws
  const Tensor x = Tensor::randn({5, 3}, rng, DType::Float64);
  EXPECT_TRUE(AllClose(mlp.forward(x), second.forward(sigmoid(first.forward(x))), 1e-12));
}

TEST(MLP, GradcheckWithDice) {
  Rng rng(3);
  MLP mlp({3, 4, 2}, "dice", 0.0, rng, DType::Float64);
  const auto f = [&](const std::vector<Tensor>& in) { return mlp.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({4, 3}, rng)}, mlp));
}

TEST(MLP, GradcheckWithPReLUOnAHistory) {
  Rng rng(4);
  MLP mlp({3, 4, 1}, "prelu", 0.0, rng, DType::Float64);
  const auto f = [&](const std::vector<Tensor>& in) { return mlp.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({2, 3, 3}, rng)}, mlp));
}

TEST(MLP, DropoutActsOnlyInTraining) {
  Rng rng(5);
  MLP mlp({6, 32, 1}, "relu", 0.5, rng, DType::Float64);
  const Tensor x = Tensor::randn({4, 6}, rng, DType::Float64);
  const Tensor first = mlp.forward(x), second = mlp.forward(x);
  EXPECT_FALSE(AllClose(first, second, 1e-9));  // fresh masks each call
  mlp.eval();
  EXPECT_TRUE(AllClose(mlp.forward(x), mlp.forward(x), 0));
}

TEST(MLP, BadConfigurationThrows) {
  Rng rng(6);
  EXPECT_THROW(MLP({4}, "relu", 0.0, rng), std::invalid_argument);
  EXPECT_THROW(MLP({4, 2, 1}, "swish", 0.0, rng), std::invalid_argument);
  EXPECT_THROW(MLP({4, 2, 1}, "relu", 1.0, rng), std::invalid_argument);
  EXPECT_THROW(MLP({4, 2, 1}, "relu", -0.1, rng), std::invalid_argument);
}
