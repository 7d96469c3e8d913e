// Activations: PReLU and Dice against torch, gradchecks, Dice's running statistics and eval mode, and
// the fused ops against the formulas composed from primitive ops.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/activations.h"
#include "tests/layers/fused_reference.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Values in (-2, -0.1) U (0.1, 2): away from the kink of ReLU and PReLU at 0.
Tensor away_from_zero(const Shape& shape, Rng& rng) {
  std::vector<double> v(numel(shape));
  for (double& x : v) x = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.1, 2.0);
  Tensor t = Tensor::from_vector(shape, v, DType::Float64);
  t.requires_grad_();
  return t;
}

void expect_prelu_matches_torch(const std::string& name, std::size_t num_parameters) {
  PReLU prelu(num_parameters, DType::Float64);
  load_parameters(prelu, "layers.json", name + ".");
  Tensor x = fixture_tensor("layers.json", name + ".x");
  x.requires_grad_();
  const Tensor y = prelu.forward(x);
  EXPECT_TRUE(AllClose(y, fixture_tensor("layers.json", name + ".output"), 1e-6));
  y.backward(fixture_tensor("layers.json", name + ".grad_output"));
  EXPECT_TRUE(AllClose(x.grad(), fixture_tensor("layers.json", name + ".x.grad"), 1e-6));
  EXPECT_TRUE(AllClose(prelu.weight.grad(), fixture_tensor("layers.json", name + ".weight.grad"), 1e-6));
}
}  // namespace

TEST(ReLU, GradcheckAwayFromZero) {
  Rng rng(1);
  ReLU relu_layer;
  const auto f = [&](const std::vector<Tensor>& in) { return relu_layer.forward(in[0]); };
  EXPECT_GRADCHECK(f, {away_from_zero({3, 4}, rng)});
}

TEST(Sigmoid, Gradcheck) {
  Rng rng(2);
  Sigmoid sigmoid_layer;
  const auto f = [&](const std::vector<Tensor>& in) { return sigmoid_layer.forward(in[0]); };
  EXPECT_GRADCHECK(f, {random_input({3, 4}, rng)});
}

TEST(PReLU, DefaultSlopeIsTorchs) {
  PReLU prelu;
  EXPECT_EQ(prelu.weight.to_vector(), (std::vector<double>{0.25}));
}

TEST(PReLU, MatchesPyTorchSharedSlope) { expect_prelu_matches_torch("prelu", 1); }

TEST(PReLU, MatchesPyTorchSlopePerFeature) { expect_prelu_matches_torch("prelu_per_feature", 3); }

TEST(PReLU, GradcheckInputAndSlopes) {
  Rng rng(3);
  PReLU prelu(4, DType::Float64);
  prelu.weight.copy_from(Tensor::uniform({4}, 0.05, 0.5, rng, DType::Float64));
  const auto f = [&](const std::vector<Tensor>& in) { return prelu.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({away_from_zero({2, 3, 4}, rng)}, prelu));
}

TEST(Dice, MatchesPyTorchInTrainingAndEval) {
  Dice dice(3, DType::Float64);
  dice.alpha.copy_from(fixture_tensor("layers.json", "dice.alpha"));
  Tensor x = fixture_tensor("layers.json", "dice.x");
  x.requires_grad_();
  const Tensor y = dice.forward(x);
  EXPECT_TRUE(AllClose(y, fixture_tensor("layers.json", "dice.output"), 1e-6));
  y.backward(fixture_tensor("layers.json", "dice.grad_output"));
  EXPECT_TRUE(AllClose(x.grad(), fixture_tensor("layers.json", "dice.x.grad"), 1e-6));
  EXPECT_TRUE(AllClose(dice.alpha.grad(), fixture_tensor("layers.json", "dice.alpha.grad"), 1e-6));
  EXPECT_TRUE(AllClose(dice.running_mean, fixture_tensor("layers.json", "dice.running_mean"), 1e-6));
  EXPECT_TRUE(AllClose(dice.running_var, fixture_tensor("layers.json", "dice.running_var"), 1e-6));
  dice.eval();
  EXPECT_TRUE(AllClose(dice.forward(fixture_tensor("layers.json", "dice.x_eval")),
                       fixture_tensor("layers.json", "dice.eval_output"), 1e-6));
}

TEST(Dice, GradcheckTrainingModeThroughBatchStatistics) {
  Rng rng(4);
  Dice dice(3, DType::Float64);
  dice.alpha.copy_from(Tensor::uniform({3}, -0.5, 0.5, rng, DType::Float64));
  const auto f = [&](const std::vector<Tensor>& in) { return dice.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({2, 3, 3}, rng)}, dice));
}

TEST(Dice, GradcheckEvalMode) {
  Rng rng(5);
  Dice dice(3, DType::Float64);
  dice.alpha.copy_from(Tensor::uniform({3}, -0.5, 0.5, rng, DType::Float64));
  dice.running_mean.copy_from(Tensor::uniform({3}, -1, 1, rng, DType::Float64));
  dice.eval();
  const auto f = [&](const std::vector<Tensor>& in) { return dice.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({4, 3}, rng)}, dice));
}

TEST(Dice, EvalDoesNotMoveRunningStatistics) {
  Rng rng(6);
  Dice dice(2, DType::Float64);
  dice.forward(Tensor::randn({5, 2}, rng, DType::Float64) + 3.0);
  const std::vector<double> mean_after_training = dice.running_mean.to_vector();
  EXPECT_GT(mean_after_training[0], 0.1);  // moved towards the batch mean near 3
  dice.eval();
  dice.forward(Tensor::randn({5, 2}, rng, DType::Float64));
  EXPECT_EQ(dice.running_mean.to_vector(), mean_after_training);
}

TEST(Dice, SingleRowInTrainingThrows) {
  Dice dice(2);
  EXPECT_THROW(dice.forward(Tensor::zeros({1, 2})), std::invalid_argument);
}

TEST(Activation, MakeByNameAndRejectUnknown) {
  EXPECT_NE(dynamic_cast<Dice*>(make_activation("dice", 4).get()), nullptr);
  EXPECT_EQ(make_activation("prelu", 4)->parameter_count(), 4u);
  EXPECT_EQ(make_activation("relu", 4)->parameter_count(), 0u);
  EXPECT_THROW(make_activation("gelu", 4), std::invalid_argument);
}

TEST(PReLU, FusedOpEqualsReluComposition) {
  for (std::size_t slopes : {1, 4}) {
    SCOPED_TRACE(std::to_string(slopes) + " slopes");
    Rng rng(20);
    expect_fused_equals_reference<PReLU>(
        [slopes] {
          auto prelu = std::make_shared<PReLU>(slopes, DType::Float64);
          Rng seeded(21);
          prelu->weight.copy_from(Tensor::uniform({slopes}, 0.05, 0.5, seeded, DType::Float64));
          return prelu;
        },
        [](PReLU& layer, const std::vector<Tensor>& in) { return layer.forward(in[0]); },
        {away_from_zero({2, 3, 4}, rng)}, "prelu");
  }
}

TEST(PReLU, GradientAtZeroIsTheSlopeAsTorchsInBothForms) {
  for (bool fused : {true, false}) {
    PReLU prelu(1, DType::Float64);
    prelu.set_fused_kernels(fused);
    Tensor x = Tensor::zeros({3}, DType::Float64).requires_grad_();
    prelu.forward(x).backward(Tensor::ones({3}, DType::Float64));
    EXPECT_EQ(x.grad().to_vector(), (std::vector<double>(3, 0.25))) << (fused ? "fused" : "reference");
  }
}

TEST(Dice, FusedOpEqualsComposedFormulaInTrainingAndEval) {
  // Training: batch statistics over two leading axes, their gradient and the running statistics'
  // update; eval: running statistics moved away from their initial 0 and 1 first.
  for (bool training : {true, false}) {
    SCOPED_TRACE(training ? "training" : "eval");
    Rng rng(22);
    expect_fused_equals_reference<Dice>(
        [training] {
          auto dice = std::make_shared<Dice>(4, DType::Float64);
          Rng seeded(23);
          dice->alpha.copy_from(Tensor::uniform({4}, -0.5, 0.5, seeded, DType::Float64));
          dice->forward(Tensor::randn({6, 4}, seeded, DType::Float64));  // moves the running statistics
          dice->train(training);
          return dice;
        },
        [](Dice& layer, const std::vector<Tensor>& in) { return layer.forward(in[0]); },
        {random_input({3, 5, 4}, rng)}, "dice");
  }
}
