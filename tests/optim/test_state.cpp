// Optimizer state: saved and loaded by parameter name, resuming exactly, with clear errors.
#include <memory>
#include <stdexcept>

#include <gtest/gtest.h>

#include "core/random.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

// Two parameters of different shapes and the gradient of step t, derived from one seed.
struct Problem {
  Tensor w, b;
  NamedTensors params() const { return {{"layer.weight", w}, {"layer.bias", b}}; }
  static Problem make() {
    Rng rng(7);
    return {Tensor::randn({3, 4}, rng, DType::Float64).requires_grad_(),
            Tensor::randn({4}, rng, DType::Float64).requires_grad_()};
  }
  Problem copy() const { return {w.detach().requires_grad_(), b.detach().requires_grad_()}; }
  void step(Optimizer& opt, std::size_t t) const {
    Rng rng(100 + t);
    opt.zero_grad();
    add_grad(w, Tensor::randn({3, 4}, rng, DType::Float64) * (t < 4 ? 2.0 : 0.1));
    add_grad(b, Tensor::randn({4}, rng, DType::Float64));
    opt.step();
  }
};

using MakeOptimizer = std::function<std::unique_ptr<Optimizer>(NamedTensors)>;

// 20 steps straight vs 10 steps, save, a new optimizer on copies of the parameters, load, 10 steps.
void expect_exact_resume(const MakeOptimizer& make) {
  const Problem straight = Problem::make();
  std::unique_ptr<Optimizer> opt = make(straight.params());
  for (std::size_t t = 0; t < 20; ++t) straight.step(*opt, t);

  const Problem first = Problem::make();
  std::unique_ptr<Optimizer> before = make(first.params());
  for (std::size_t t = 0; t < 10; ++t) first.step(*before, t);
  const NamedTensors saved = before->state_dict();
  before.reset();

  const Problem resumed = first.copy();
  std::unique_ptr<Optimizer> after = make(resumed.params());
  after->load_state_dict(saved);
  for (std::size_t t = 10; t < 20; ++t) resumed.step(*after, t);

  EXPECT_TRUE(BitwiseEqual(resumed.w, straight.w));
  EXPECT_TRUE(BitwiseEqual(resumed.b, straight.b));
}

AdamOptions amsgrad_options() {
  AdamOptions o;
  o.lr = 0.05;
  o.amsgrad = true;
  o.weight_decay = 0.01;
  return o;
}

TEST(OptimizerState, AdamResumesExactly) {
  expect_exact_resume([](NamedTensors p) { return std::make_unique<Adam>(std::move(p), amsgrad_options()); });
}

TEST(OptimizerState, AdamWResumesExactly) {
  expect_exact_resume([](NamedTensors p) { return std::make_unique<AdamW>(std::move(p)); });
}

TEST(OptimizerState, SGDWithDampenedMomentumResumesExactly) {
  SGDOptions o;
  o.momentum = 0.9;
  o.dampening = 0.2;
  expect_exact_resume([o](NamedTensors p) { return std::make_unique<SGD>(std::move(p), o); });
}

TEST(OptimizerState, StateDictNamesEveryFieldByParameter) {
  const Problem problem = Problem::make();
  Adam opt(problem.params(), amsgrad_options());
  EXPECT_TRUE(opt.state_dict().empty());
  for (std::size_t t = 0; t < 3; ++t) problem.step(opt, t);
  const NamedTensors state = opt.state_dict();
  std::vector<std::string> keys;
  for (const auto& entry : state) keys.push_back(entry.first);
  EXPECT_EQ(keys, (std::vector<std::string>{"layer.weight.step", "layer.weight.exp_avg", "layer.weight.exp_avg_sq",
                                            "layer.weight.max_exp_avg_sq", "layer.bias.step", "layer.bias.exp_avg",
                                            "layer.bias.exp_avg_sq", "layer.bias.max_exp_avg_sq"}));
  EXPECT_EQ(state_entry(state, "layer.weight.step").item(), 3.0);
  EXPECT_EQ(state_entry(state, "layer.weight.step").shape(), Shape{});
  EXPECT_EQ(state_entry(state, "layer.bias.exp_avg").shape(), Shape{4});
}

TEST(OptimizerState, StateDictIsACopy) {
  const Problem problem = Problem::make();
  Adam opt(problem.params());
  problem.step(opt, 0);
  const NamedTensors saved = opt.state_dict();
  const Tensor exp_avg = state_entry(saved, "layer.weight.exp_avg").detach();
  problem.step(opt, 1);
  EXPECT_TRUE(BitwiseEqual(state_entry(saved, "layer.weight.exp_avg"), exp_avg));
  EXPECT_EQ(state_entry(saved, "layer.weight.step").item(), 1.0);
}

TEST(OptimizerState, ParameterWithoutGradIsSkippedAndHasNoState) {
  const Problem problem = Problem::make();
  Tensor frozen = Tensor::ones({2}, DType::Float64).requires_grad_();
  Adam opt({{"frozen", frozen}, {"layer.weight", problem.w}});
  opt.zero_grad();
  add_grad(problem.w, Tensor::ones({3, 4}, DType::Float64));
  opt.step();
  EXPECT_TRUE(BitwiseEqual(frozen, Tensor::ones({2}, DType::Float64)));
  for (const auto& entry : opt.state_dict()) EXPECT_NE(entry.first.rfind("frozen.", 0), 0u) << entry.first;
}

// Expects load_state_dict to throw std::invalid_argument with all of `fragments` in the message.
void expect_load_error(Optimizer& opt, const NamedTensors& state, const std::vector<std::string>& fragments) {
  try {
    opt.load_state_dict(state);
    ADD_FAILURE() << "load_state_dict accepted a bad state";
  } catch (const std::invalid_argument& e) {
    for (const std::string& f : fragments) EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << e.what();
  }
}

NamedTensors without(NamedTensors state, const std::string& key) {
  for (auto it = state.begin(); it != state.end(); ++it)
    if (it->first == key) {
      state.erase(it);
      break;
    }
  return state;
}

NamedTensors replaced(NamedTensors state, const std::string& key, Tensor value) {
  for (auto& entry : state)
    if (entry.first == key) entry.second = value;
  return state;
}

class OptimizerStateErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::size_t t = 0; t < 2; ++t) problem.step(opt, t);
    good = opt.state_dict();
  }
  Problem problem = Problem::make();
  Adam opt{problem.params()};
  NamedTensors good;
};

TEST_F(OptimizerStateErrors, MissingFieldNamesTheKey) {
  expect_load_error(opt, without(good, "layer.bias.exp_avg_sq"), {"missing key 'layer.bias.exp_avg_sq'"});
}

TEST_F(OptimizerStateErrors, UnknownParameterNamesTheKey) {
  NamedTensors bad = good;
  bad.emplace_back("layer.scale.exp_avg", Tensor::zeros({4}, DType::Float64));
  expect_load_error(opt, bad, {"unexpected key 'layer.scale.exp_avg'"});
}

TEST_F(OptimizerStateErrors, UnknownFieldNamesTheKey) {
  NamedTensors bad = good;
  bad.emplace_back("layer.bias.max_exp_avg_sq", Tensor::zeros({4}, DType::Float64));  // amsgrad is off
  expect_load_error(opt, bad, {"unexpected key 'layer.bias.max_exp_avg_sq'", "exp_avg_sq"});
}

TEST_F(OptimizerStateErrors, WrongShapeNamesBothShapes) {
  expect_load_error(opt, replaced(good, "layer.weight.exp_avg", Tensor::zeros({4, 3}, DType::Float64)),
                    {"'layer.weight.exp_avg'", "[4, 3]", "[3, 4]"});
}

TEST_F(OptimizerStateErrors, NonIntegerStepIsRejected) {
  expect_load_error(opt, replaced(good, "layer.bias.step", Tensor::scalar(1.5, DType::Float64)),
                    {"'layer.bias.step'", "integer >= 1"});
}

TEST_F(OptimizerStateErrors, DuplicateKeyIsRejected) {
  NamedTensors bad = good;
  bad.push_back(good.front());
  expect_load_error(opt, bad, {"'" + good.front().first + "' appears twice"});
}

TEST_F(OptimizerStateErrors, FailedLoadLeavesStateUnchanged) {
  NamedTensors bad = replaced(good, "layer.weight.exp_avg", Tensor::full({3, 4}, 5.0, DType::Float64));
  bad = replaced(bad, "layer.bias.exp_avg", Tensor::zeros({5}, DType::Float64));
  EXPECT_THROW(opt.load_state_dict(bad), std::invalid_argument);
  EXPECT_TRUE(BitwiseEqual(state_entry(opt.state_dict(), "layer.weight.exp_avg"),
                           state_entry(good, "layer.weight.exp_avg")));
}

}  // namespace
}  // namespace recgrad::testing
