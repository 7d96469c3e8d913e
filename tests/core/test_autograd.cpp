// The engine: topological order, accumulation, graph release, no-grad, and gradcheck itself.
#include <gtest/gtest.h>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/random.h"
#include "core/tensor_impl.h"
#include "tests/test_util.h"

using namespace recgrad;

TEST(Autograd, ReusedNonLeafAccumulates) {
  // b = a + a; c = b + b: dc/da = 4. A recursive backward without topological order gets this wrong.
  Tensor a = Tensor::scalar(3.0, DType::Float64).requires_grad_();
  Tensor b = a + a;
  Tensor c = b + b;
  c.backward();
  EXPECT_DOUBLE_EQ(a.grad().item(), 4.0);
}

TEST(Autograd, DiamondGraphSumsBothPaths) {
  // y = x*x + exp(x): dy/dx = 2x + e^x
  Tensor x = Tensor::scalar(0.5, DType::Float64).requires_grad_();
  Tensor y = x * x + exp(x);
  y.backward();
  EXPECT_NEAR(x.grad().item(), 1.0 + std::exp(0.5), 1e-15);
}

TEST(Autograd, LeafGradsAccumulateAcrossBackwardCallsUntilZeroed) {
  Tensor x = Tensor::scalar(2.0, DType::Float64).requires_grad_();
  (x * x).backward();
  (x * x).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 8.0);
  x.zero_grad();
  EXPECT_DOUBLE_EQ(x.grad().item(), 0.0);
}

// Ops that write their gradient straight into an input's grad buffer (matmul, linear: gemm with
// beta = 0 into a fresh buffer, beta = 1 onto a gradient already there) must add, not overwrite.
TEST(Autograd, GemmBackwardsAddOntoGradientsFromOtherOps) {
  Rng rng(11);
  const Tensor x0 = Tensor::uniform({4, 3}, -1, 1, rng, DType::Float64);
  const Tensor w0 = Tensor::uniform({3, 2}, -1, 1, rng, DType::Float64);
  const Tensor b0 = Tensor::uniform({2}, -1, 1, rng, DType::Float64);
  const Tensor c = Tensor::uniform({4, 3}, -1, 1, rng, DType::Float64);
  const Tensor dy = Tensor::uniform({4, 2}, -1, 1, rng, DType::Float64);
  // Each op's gradient alone, on fresh leaves.
  auto grads_of = [&](auto f) {
    Tensor x = x0.detach().requires_grad_(), w = w0.detach().requires_grad_(), b = b0.detach().requires_grad_();
    f(x, w, b).backward();
    return std::vector<Tensor>{x.grad(), w.grad(), b.grad()};
  };
  const auto via_mul = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
    return sum(x * c) + sum(w * w) + sum(b * b);
  };
  const auto via_matmul = [&](const Tensor& x, const Tensor& w, const Tensor&) { return sum(matmul(x, w) * dy); };
  const auto via_linear = [&](const Tensor& x, const Tensor& w, const Tensor& b) {
    return sum(linear(x, transpose(w, 0, 1), b) * dy);
  };
  const auto first = grads_of(via_mul), second = grads_of(via_matmul), third = grads_of(via_linear);
  // The same contributions accumulated into one set of leaves, across two backward calls.
  Tensor x = x0.detach().requires_grad_(), w = w0.detach().requires_grad_(), b = b0.detach().requires_grad_();
  via_mul(x, w, b).backward();
  (via_matmul(x, w, b) + via_linear(x, w, b)).backward();
  const Tensor expected_x = first[0] + second[0] + third[0];
  const Tensor expected_w = first[1] + second[1] + third[1];
  EXPECT_TRUE(recgrad::testing::AllClose(x.grad(), expected_x, 1e-12));
  EXPECT_TRUE(recgrad::testing::AllClose(w.grad(), expected_w, 1e-12));
  EXPECT_TRUE(recgrad::testing::AllClose(b.grad(), first[2] + third[2], 1e-12));
}

TEST(Autograd, DeepChainDoesNotOverflowTheStack) {
  // 200k nodes: recursive sort or recursive destruction would overflow an 8 MB stack.
  Tensor x = Tensor::scalar(1.0, DType::Float64).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 200000; ++i) y = y + 1.0;
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 1.0);
  EXPECT_DOUBLE_EQ(y.item(), 200001.0);
}

TEST(Autograd, DeepGraphDroppedWithoutBackwardIsReleasedIteratively) {
  Tensor x = Tensor::scalar(1.0, DType::Float64).requires_grad_();
  {
    Tensor y = x;
    for (int i = 0; i < 200000; ++i) y = y * 1.0;
  }  // the whole chain dies here
  EXPECT_EQ(x.impl_ptr().use_count(), 1);
}

TEST(Autograd, GraphIsReleasedAfterBackward) {
  Tensor x = Tensor::from_vector({3}, {1, 2, 3}, DType::Float64).requires_grad_();
  Tensor h = exp(x);
  Tensor loss = sum(h * h);
  std::weak_ptr<TensorImpl> h_impl = h.impl_ptr();
  loss.backward();
  EXPECT_EQ(loss.impl()->grad_fn, nullptr);
  EXPECT_EQ(h.impl()->grad_fn, nullptr);
  EXPECT_EQ(x.impl_ptr().use_count(), 1);  // no node holds x any more
  EXPECT_FALSE(h.grad().defined());        // intermediate grads are not kept unless asked
  EXPECT_THROW(loss.backward(), std::logic_error);
}

TEST(Autograd, RetainGradKeepsAnIntermediateGradient) {
  Tensor x = Tensor::from_vector({2}, {1, 2}, DType::Float64).requires_grad_();
  Tensor h = x * 3.0;
  h.retain_grad();
  sum(h * h).backward();
  EXPECT_EQ(h.grad().to_vector(), (std::vector<double>{6, 12}));
}

TEST(Autograd, NoGradGuardRecordsNothing) {
  Tensor x = Tensor::scalar(1.0).requires_grad_();
  Tensor y;
  {
    NoGradGuard guard;
    y = x * 2.0;
  }
  EXPECT_FALSE(y.requires_grad());
  EXPECT_TRUE(y.is_leaf());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(Autograd, DetachCutsTheGraph) {
  Tensor x = Tensor::scalar(2.0, DType::Float64).requires_grad_();
  Tensor y = (x * x).detach() * x;  // d/dx = x^2 only
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 4.0);
}

TEST(Autograd, BackwardOnNonScalarNeedsGradOutput) {
  Tensor x = Tensor::from_vector({2}, {1, 2}, DType::Float64).requires_grad_();
  Tensor y = x * 2.0;
  EXPECT_THROW(y.backward(), std::invalid_argument);
  y.backward(Tensor::from_vector({2}, {1, 10}, DType::Float64));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2, 20}));
}

TEST(Autograd, MixedDtypesAreAnError) {
  EXPECT_THROW(Tensor::ones({2}, DType::Float32) + Tensor::ones({2}, DType::Float64), std::invalid_argument);
}

TEST(Autograd, SameCodeRunsInFloat32AndFloat64) {
  for (DType d : {DType::Float32, DType::Float64}) {
    Tensor x = Tensor::from_vector({2}, {0.5, -1.0}, d).requires_grad_();
    Tensor y = sum(tanh(x) * x);
    y.backward();
    EXPECT_EQ(x.grad().dtype(), d);
    EXPECT_NEAR(x.grad().at({0}), std::tanh(0.5) + 0.5 * (1 - std::pow(std::tanh(0.5), 2)), 1e-6);
  }
}

// y = x^2 with a deliberately wrong backward (dx = x instead of 2x): gradcheck must catch it.
Tensor wrong_square(const Tensor& x) {
  const Array<double>& v = values_of<double>(x, "wrong_square");
  return make_result<double>("wrong_square", Array<double>(v * v), {x},
                             [](const Backward<double>& ctx) { ctx.accumulate(0, ctx.grad_output() * ctx.input(0)); });
}

TEST(Gradcheck, FailsOnAWrongBackwardAndNamesTheWorstEntry) {
  Tensor x = Tensor::from_vector({3}, {0.5, -2.0, 1.5}, DType::Float64).requires_grad_();
  GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return wrong_square(in[0]); }, {x});
  EXPECT_FALSE(r.ok) << r.message;
  EXPECT_EQ(r.input_index, 1u);  // |x| largest at index 1: the error x is largest there
  EXPECT_NEAR(r.analytical, -2.0, 1e-12);
  EXPECT_NEAR(r.numerical, -4.0, 1e-6);
  EXPECT_NE(r.message.find("FAILED"), std::string::npos);
}

TEST(Gradcheck, PassesOnACorrectBackward) {
  Tensor x = Tensor::from_vector({3}, {0.5, -2.0, 1.5}, DType::Float64).requires_grad_();
  GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {x});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 9u);
}

TEST(Gradcheck, APassNamesTheEntryClosestToItsToleranceNotAnExactZero) {
  // y² at y = 0 has analytical and numerical gradient exactly 0; x³ at x = 1 has a numerical one off by
  // eps² = 1e-6, a small share of its tolerance but the largest one here.
  Tensor x = Tensor::from_vector({1}, {1.0}, DType::Float64).requires_grad_();
  Tensor y = Tensor::from_vector({1}, {0.0}, DType::Float64).requires_grad_();
  GradcheckOptions options;
  options.eps = 1e-3;
  GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& in) { return sum(in[0] * in[0] * in[0]) + sum(in[1] * in[1]); }, {x, y}, options);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.input, 0u) << r.message;
  EXPECT_NEAR(r.tolerance_used, 1e-6 / (1e-5 + 3e-3), 1e-6) << r.message;
  EXPECT_NE(r.message.find("% of the tolerance"), std::string::npos) << r.message;
}

TEST(Gradcheck, PassesOnAGraphWhereOneTensorFeedsSeveralOps) {
  // h feeds softmax, mul, sigmoid, mean and slice; w feeds matmul and the final sum.
  Rng rng(7);
  Tensor x = Tensor::randn({2, 3, 4}, rng, DType::Float64).requires_grad_();
  Tensor w = Tensor::randn({4, 4}, rng, DType::Float64).requires_grad_();
  auto f = [](const std::vector<Tensor>& in) {
    const Tensor h = matmul(in[0], in[1]);
    const Tensor mixed = softmax(h, -1) * h + sigmoid(h) - mean(h, {-1}, true);
    return concat({mixed, slice(h, 1, 0, 1) * sum(in[1])}, 1);
  };
  GradcheckResult r = gradcheck(f, {x, w});
  EXPECT_TRUE(r.ok) << r.message;
}

TEST(Gradcheck, RefusesFloat32Inputs) {
  Tensor x = Tensor::ones({2}).requires_grad_();
  EXPECT_THROW(gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {x}), std::invalid_argument);
}

TEST(SetGrad, ReplacesADenseOrRowSparseGradientAndChecksIt) {
  // For gradients computed outside backward, such as a sum across processes (train/distributed.cpp).
  Tensor table = Tensor::zeros({4, 2}, DType::Float32).requires_grad_();
  table.set_grad(Tensor::from_vector({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}, DType::Float32));
  EXPECT_EQ(table.grad_rows(), nullptr);
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8}));
  table.set_grad_rows({1, 3}, Tensor::from_vector({2, 2}, {1, 2, 3, 4}, DType::Float32));
  ASSERT_NE(table.grad_rows(), nullptr);
  EXPECT_EQ(*table.grad_rows(), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{0, 0, 1, 2, 0, 0, 3, 4}));
  // A later backward adds to it, as to any gradient.
  sum(gather_rows(table, {3, 0}, {2})).backward();
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{1, 1, 1, 2, 0, 0, 4, 5}));

  const Tensor two_rows = Tensor::zeros({2, 2}, DType::Float32);
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { table.set_grad(two_rows); }, {"set_grad", "[2, 2]", "[4, 2]"}));
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { table.set_grad(Tensor::zeros({4, 2}, DType::Float64)); }, {"float64"}));
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { table.set_grad_rows({3, 1}, two_rows); }, {"sorted, unique"}));
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { table.set_grad_rows({1, 1}, two_rows); }, {"sorted, unique"}));
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { table.set_grad_rows({1, 4}, two_rows); }, {"in range"}));
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { table.set_grad_rows({1}, two_rows); }, {"[2, 2]", "1 rows"}));
  const Tensor y = table * 2.0;
  EXPECT_TRUE(recgrad::testing::ThrowsNaming([&] { Tensor(y).set_grad(Tensor::zeros({4, 2}, DType::Float32)); }, {"non-leaf"}));
}
