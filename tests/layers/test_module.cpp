// Module: dotted parameter names, counts, recursive train/eval and fused-kernel switch, in-place dtype
// conversion.
#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/random.h"
#include "layers/activations.h"
#include "layers/linear.h"

using namespace recgrad;

namespace {
// A two-level model: its own parameter, a Linear, and a sub-module holding a Linear and a Dice.
class Inner : public Module {
 public:
  explicit Inner(Rng& rng) {
    proj = register_module("proj", std::make_shared<Linear>(3, 2, rng));
    act = register_module("act", std::make_shared<Dice>(2));
  }
  std::shared_ptr<Linear> proj;
  std::shared_ptr<Dice> act;
};

class Outer : public Module {
 public:
  explicit Outer(Rng& rng) {
    scale = register_parameter("scale", Tensor::ones({1}));
    q_proj = register_module("q_proj", std::make_shared<Linear>(4, 3, rng, DType::Float32, LinearOptions{false}));
    inner = register_module("inner", std::make_shared<Inner>(rng));
  }
  void register_twice() { register_parameter("scale", Tensor::ones({1})); }
  Tensor scale;
  std::shared_ptr<Linear> q_proj;
  std::shared_ptr<Inner> inner;
};

std::vector<std::string> names(const NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& entry : named) out.push_back(entry.first);
  return out;
}
}  // namespace

TEST(Module, NamedParametersAreDottedInRegistrationOrder) {
  Rng rng(1);
  Outer model(rng);
  const std::vector<std::string> parameters = {"scale", "q_proj.weight", "inner.proj.weight", "inner.proj.bias",
                                                "inner.act.alpha"};
  const std::vector<std::string> buffers = {"inner.act.running_mean", "inner.act.running_var"};
  EXPECT_EQ(names(model.named_parameters()), parameters);
  EXPECT_EQ(names(model.named_buffers()), buffers);
}

TEST(Module, ParametersAreTheRegisteredHandles) {
  Rng rng(1);
  Outer model(rng);
  const std::vector<Tensor> params = model.parameters();
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[1].impl(), model.q_proj->weight.impl());
  for (const Tensor& p : params) EXPECT_TRUE(p.requires_grad());
}

TEST(Module, ParameterCountCountsScalars) {
  Rng rng(1);
  Outer model(rng);
  EXPECT_EQ(model.parameter_count(), 1u + 4 * 3 + (3 * 2 + 2) + 2);
}

TEST(Module, TrainAndEvalReachEverySubModule) {
  Rng rng(1);
  Outer model(rng);
  EXPECT_TRUE(model.inner->act->is_training());
  model.eval();
  EXPECT_FALSE(model.is_training());
  EXPECT_FALSE(model.inner->is_training());
  EXPECT_FALSE(model.inner->act->is_training());
  model.train();
  EXPECT_TRUE(model.inner->act->is_training());
}

TEST(Module, FusedKernelsByDefaultAndTheSwitchReachesEverySubModule) {
  Rng rng(1);
  Outer model(rng);
  for (const auto& [name, module] : model.named_modules()) EXPECT_TRUE(module->fused_kernels()) << name;
  model.inner->set_fused_kernels(false);
  EXPECT_TRUE(model.fused_kernels());
  EXPECT_TRUE(model.q_proj->fused_kernels());
  EXPECT_FALSE(model.inner->proj->fused_kernels());
  EXPECT_FALSE(model.inner->act->fused_kernels());
  model.set_fused_kernels(false);
  for (const auto& [name, module] : model.named_modules()) EXPECT_FALSE(module->fused_kernels()) << name;
  model.set_fused_kernels(true);
  for (const auto& [name, module] : model.named_modules()) EXPECT_TRUE(module->fused_kernels()) << name;
}

TEST(Module, ToFloat64ConvertsInPlaceAndKeepsHandles) {
  Rng rng(1);
  Outer model(rng);
  const Tensor weight_handle = model.inner->proj->weight;
  const std::vector<double> before = weight_handle.to_vector();
  model.to(DType::Float64);
  for (const auto& [name, p] : model.named_parameters()) EXPECT_EQ(p.dtype(), DType::Float64) << name;
  for (const auto& [name, b] : model.named_buffers()) EXPECT_EQ(b.dtype(), DType::Float64) << name;
  EXPECT_EQ(weight_handle.dtype(), DType::Float64);
  EXPECT_EQ(weight_handle.to_vector(), before);  // float32 values are exact in float64
  EXPECT_TRUE(weight_handle.requires_grad());
  // The converted model runs and trains in float64.
  Tensor x = Tensor::ones({2, 4}, DType::Float64);
  sum(model.inner->proj->forward(model.q_proj->forward(x))).backward();
  EXPECT_EQ(model.q_proj->weight.grad().dtype(), DType::Float64);
}

TEST(Module, DuplicateNameThrows) {
  Rng rng(1);
  Outer model(rng);
  EXPECT_THROW(model.register_twice(), std::invalid_argument);
}
