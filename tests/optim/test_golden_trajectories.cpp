// 20 steps of each optimizer and option against torch.optim (tests/golden/optim.py): the same
// two parameters, the same gradients, every parameter matched after every step to 1e-10 in float64.
#include <functional>
#include <memory>

#include <gtest/gtest.h>

#include "optim/adam.h"
#include "optim/schedule.h"
#include "optim/sgd.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

constexpr const char* kFixture = "optim.json";
constexpr std::size_t kSteps = 20;

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(NamedTensors)>;

// Runs the golden problem under `make` (with `schedule` setting the lr before each step, if given)
// and checks w and b against "<golden_case>.w" / ".b" after every step.
void expect_trajectory(const std::string& golden_case, const MakeOptimizer& make, DType dtype, double tol,
                       const Schedule* schedule = nullptr) {
  Tensor w = fixture_tensor(kFixture, "problem.w0", dtype).requires_grad_();
  Tensor b = fixture_tensor(kFixture, "problem.b0", dtype).requires_grad_();
  const Tensor grads_w = fixture_tensor(kFixture, "problem.grads_w", dtype);
  const Tensor grads_b = fixture_tensor(kFixture, "problem.grads_b", dtype);
  const Tensor expected_w = fixture_tensor(kFixture, golden_case + ".w");
  const Tensor expected_b = fixture_tensor(kFixture, golden_case + ".b");
  std::unique_ptr<Optimizer> opt = make({{"w", w}, {"b", b}});
  for (std::size_t t = 0; t < kSteps; ++t) {
    if (schedule) opt->set_lr(schedule->lr(static_cast<std::int64_t>(t)));
    opt->zero_grad();
    add_grad(w, slice_first(grads_w, t));
    add_grad(b, slice_first(grads_b, t));
    opt->step();
    ASSERT_TRUE(AllClose(w.to(DType::Float64), slice_first(expected_w, t), tol)) << golden_case << " w, step " << t + 1;
    ASSERT_TRUE(AllClose(b.to(DType::Float64), slice_first(expected_b, t), tol)) << golden_case << " b, step " << t + 1;
  }
}

MakeOptimizer adam(AdamOptions o) {
  return [o](NamedTensors p) { return std::make_unique<Adam>(std::move(p), o); };
}
MakeOptimizer adamw(AdamOptions o) {
  return [o](NamedTensors p) { return std::make_unique<AdamW>(std::move(p), o); };
}
MakeOptimizer sgd(SGDOptions o) {
  return [o](NamedTensors p) { return std::make_unique<SGD>(std::move(p), o); };
}

AdamOptions adam_options(double lr, double weight_decay = 0, bool amsgrad = false) {
  AdamOptions o;
  o.lr = lr;
  o.weight_decay = weight_decay;
  o.amsgrad = amsgrad;
  if (amsgrad) o.beta2 = 0.9;  // as in the generator: lets v fall below its maximum
  return o;
}

SGDOptions sgd_options(double momentum, double dampening = 0, double weight_decay = 0, bool nesterov = false) {
  SGDOptions o;
  o.lr = 0.1;
  o.momentum = momentum;
  o.dampening = dampening;
  o.weight_decay = weight_decay;
  o.nesterov = nesterov;
  return o;
}

TEST(Adam, MatchesPyTorch) { expect_trajectory("adam", adam(adam_options(0.1)), DType::Float64, 1e-10); }

TEST(Adam, MatchesPyTorchWeightDecay) {
  expect_trajectory("adam_weight_decay", adam(adam_options(0.1, 0.1)), DType::Float64, 1e-10);
}

TEST(Adam, MatchesPyTorchAmsgrad) {
  expect_trajectory("adam_amsgrad", adam(adam_options(0.1, 0, true)), DType::Float64, 1e-10);
}

TEST(Adam, MatchesPyTorchAmsgradWeightDecay) {
  expect_trajectory("adam_amsgrad_weight_decay", adam(adam_options(0.1, 0.1, true)), DType::Float64, 1e-10);
}

TEST(Adam, MatchesPyTorchBetasEpsMaximize) {
  AdamOptions o = adam_options(0.05);
  o.beta1 = 0.8;
  o.beta2 = 0.99;
  o.eps = 1e-3;
  o.maximize = true;
  expect_trajectory("adam_betas_eps_maximize", adam(o), DType::Float64, 1e-10);
}

TEST(Adam, MatchesPyTorchUnderWarmupCosineSchedule) {
  const WarmupLR schedule(5, 0.25, std::make_shared<CosineLR>(0.1, 15, 0.001));
  expect_trajectory("adam_warmup_cosine", adam(adam_options(0.1)), DType::Float64, 1e-10, &schedule);
}

TEST(Adam, Float32FollowsTheFloat64Trajectory) {
  expect_trajectory("adam_amsgrad_weight_decay", adam(adam_options(0.1, 0.1, true)), DType::Float32, 1e-5);
}

TEST(AdamW, MatchesPyTorch) { expect_trajectory("adamw", adamw(adam_options(0.1, 0.1)), DType::Float64, 1e-10); }

TEST(AdamW, MatchesPyTorchAmsgrad) {
  expect_trajectory("adamw_amsgrad", adamw(adam_options(0.1, 0.1, true)), DType::Float64, 1e-10);
}

TEST(AdamW, DefaultsToPyTorchWeightDecay) {
  EXPECT_EQ(AdamW({}).options().weight_decay, 0.01);
  EXPECT_EQ(Adam({}).options().weight_decay, 0.0);
}

TEST(SGD, MatchesPyTorch) { expect_trajectory("sgd", sgd(sgd_options(0)), DType::Float64, 1e-10); }

TEST(SGD, MatchesPyTorchMomentum) {
  expect_trajectory("sgd_momentum", sgd(sgd_options(0.9)), DType::Float64, 1e-10);
}

TEST(SGD, MatchesPyTorchNesterov) {
  expect_trajectory("sgd_nesterov", sgd(sgd_options(0.9, 0, 0, true)), DType::Float64, 1e-10);
}

TEST(SGD, MatchesPyTorchDampening) {
  expect_trajectory("sgd_dampening", sgd(sgd_options(0.9, 0.3)), DType::Float64, 1e-10);
}

TEST(SGD, MatchesPyTorchWeightDecay) {
  expect_trajectory("sgd_weight_decay", sgd(sgd_options(0.9, 0, 0.1)), DType::Float64, 1e-10);
}

TEST(SGD, MatchesPyTorchNesterovWeightDecayMaximize) {
  SGDOptions o = sgd_options(0.5, 0, 0.1, true);
  o.maximize = true;
  expect_trajectory("sgd_nesterov_weight_decay_maximize", sgd(o), DType::Float64, 1e-10);
}

TEST(SGD, Float32FollowsTheFloat64Trajectory) {
  expect_trajectory("sgd_nesterov", sgd(sgd_options(0.9, 0, 0, true)), DType::Float32, 1e-5);
}

}  // namespace
}  // namespace recgrad::testing
