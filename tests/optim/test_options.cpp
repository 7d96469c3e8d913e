// Bad optimizer options and parameter lists fail at construction with messages that name them.
#include <functional>
#include <stdexcept>

#include <gtest/gtest.h>

#include "core/ops.h"
#include "optim/adam.h"
#include "optim/sgd.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

void expect_invalid(const std::function<void()>& make, const std::string& message) {
  try {
    make();
    ADD_FAILURE() << "accepted; expected: " << message;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

NamedTensors one_param() { return {{"w", Tensor::zeros({2}).requires_grad_()}}; }

TEST(OptimizerOptions, AdamRejectsBadValues) {
  AdamOptions o;
  o.lr = -0.1;
  expect_invalid([&] { Adam(one_param(), o); }, "Adam: lr must be >= 0 and finite, got -0.1");
  o = AdamOptions();
  o.beta1 = 1.0;
  expect_invalid([&] { Adam(one_param(), o); }, "Adam: beta1 must be in [0, 1), got 1");
  o = AdamOptions();
  o.beta2 = -0.5;
  expect_invalid([&] { Adam(one_param(), o); }, "Adam: beta2 must be in [0, 1), got -0.5");
  o = AdamOptions();
  o.eps = -1e-8;
  expect_invalid([&] { Adam(one_param(), o); }, "Adam: eps must be >= 0");
  o = AdamOptions();
  o.weight_decay = -0.01;
  expect_invalid([&] { AdamW(one_param(), o); }, "AdamW: weight_decay must be >= 0, got -0.01");
}

TEST(OptimizerOptions, SGDRejectsBadValues) {
  SGDOptions o;
  o.momentum = -0.9;
  expect_invalid([&] { SGD(one_param(), o); }, "SGD: momentum must be >= 0, got -0.9");
  o = SGDOptions();
  o.nesterov = true;
  expect_invalid([&] { SGD(one_param(), o); }, "SGD: momentum must be > 0 with nesterov, got 0");
  o.momentum = 0.9;
  o.dampening = 0.1;
  expect_invalid([&] { SGD(one_param(), o); }, "SGD: dampening must be 0 with nesterov, got 0.1");
  o = SGDOptions();
  o.weight_decay = -1;
  expect_invalid([&] { SGD(one_param(), o); }, "SGD: weight_decay must be >= 0, got -1");
}

TEST(OptimizerOptions, SetLrRejectsNegative) {
  Adam opt(one_param());
  expect_invalid([&] { opt.set_lr(-1e-3); }, "Adam: lr must be >= 0 and finite, got -0.001");
  opt.set_lr(0.5);
  EXPECT_EQ(opt.lr(), 0.5);
}

TEST(OptimizerOptions, DuplicateParameterNamesAreRejected) {
  const Tensor w = Tensor::zeros({2}).requires_grad_();
  expect_invalid([&] { SGD({{"w", w}, {"w", w}}); }, "SGD: parameter name 'w' appears twice");
}

TEST(OptimizerOptions, NonLeafParameterIsRejected) {
  const Tensor w = Tensor::zeros({2}).requires_grad_();
  expect_invalid([&] { Adam({{"twice", w * 2.0}}); }, "Adam: parameter 'twice' is not a leaf");
}

}  // namespace
}  // namespace recgrad::testing
