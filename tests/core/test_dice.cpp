// dice, the fused Dice activation: gradients with batch statistics (training) and fixed ones (eval),
// agreement with the same formula composed from primitive ops, float32 against float64 (the vectorised
// exp), and the statistics it reports.
#include <algorithm>
#include <cmath>

#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
constexpr double kEps = 1e-8;

// Dice from primitives, as the layer computed it before the fused op: the reference.
Tensor composed_batch(const Tensor& x, const Tensor& alpha) {
  std::vector<int> rows(x.dim() - 1);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = int(i);
  const Tensor centered = x - mean(x, rows);
  const Tensor p = sigmoid(centered / sqrt(mean(centered * centered, rows) + kEps));
  return x * (p + (1.0 - p) * alpha);
}
Tensor composed_fixed(const Tensor& x, const Tensor& alpha, const Tensor& m, const Tensor& v) {
  const Tensor p = sigmoid((x - m) / sqrt(v + kEps));
  return x * (p + (1.0 - p) * alpha);
}

void expect_same_values_and_grads(const Op& fused, const Op& reference, const Inputs& values, Rng& rng) {
  Inputs a, b;
  for (const Tensor& v : values) {
    a.push_back(v.detach().requires_grad_());
    b.push_back(v.detach().requires_grad_());
  }
  const Tensor ya = fused(a), yb = reference(b);
  EXPECT_TRUE(AllClose(ya, yb, 1e-12));
  const Tensor grad_output = Tensor::uniform(ya.shape(), -1, 1, rng, DType::Float64);
  ya.backward(grad_output);
  yb.backward(grad_output);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(AllClose(a[i].grad(), b[i].grad(), 1e-12)) << "input " << i;
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_vector()) m = std::max(m, std::abs(v));
  return m;
}

// `op` on x [n, D] and alpha [D] in float32 and in float64 (x and alpha hold float32 values, so both
// runs see the same inputs). y must agree to float32 rounding of its terms, |x| (|alpha| + |1 - alpha|), element
// by element; the gradients to 1e-5 of their largest magnitude (their sums run over n).
void expect_float32_matches_float64(const Op& op, const Tensor& x, const Tensor& alpha, Rng& rng) {
  const Tensor dy = Tensor::uniform(x.shape(), -1, 1, rng);
  Inputs in32{x.to(DType::Float32).requires_grad_(), alpha.to(DType::Float32).requires_grad_()};
  Inputs in64{x.to(DType::Float64).requires_grad_(), alpha.to(DType::Float64).requires_grad_()};
  const Tensor y32 = op(in32), y64 = op(in64);
  ASSERT_EQ(y32.dtype(), DType::Float32);
  const std::vector<double> a = y32.to_vector(), e = y64.to_vector(), xv = x.to_vector(), al = alpha.to_vector();
  const std::size_t D = al.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double alpha_i = al[i % D], tol = 2e-6 * std::abs(xv[i]) * (std::abs(alpha_i) + std::abs(1 - alpha_i));
    if (!(std::abs(a[i] - e[i]) <= tol)) {  // also catches a NaN
      ADD_FAILURE() << "y element " << i << ": " << a[i] << " vs " << e[i] << " (tol " << tol << ")";
      break;
    }
  }
  y32.backward(dy);
  y64.backward(dy.to(DType::Float64));
  for (std::size_t i = 0; i < 2; ++i)
    EXPECT_TRUE(AllClose(in32[i].grad(), in64[i].grad(), 1e-5 * max_abs(in64[i].grad()))) << "input " << i;
}
}  // namespace

TEST(DiceOp, GradcheckThroughBatchStatistics) {
  Rng rng(1);
  const auto f = [](const Inputs& in) { return dice(in[0], in[1], kEps); };
  EXPECT_GRADCHECK(f, {param({5, 3}, rng), param({3}, rng, -0.5, 0.5)});
  EXPECT_GRADCHECK(f, {param({2, 3, 4}, rng), param({4}, rng, -0.5, 0.5)});  // statistics over two leading axes
}

TEST(DiceOp, GradcheckWithFixedStatistics) {
  Rng rng(2);
  const Tensor m = Tensor::uniform({3}, -1, 1, rng, DType::Float64);
  const Tensor v = Tensor::uniform({3}, 0.5, 2, rng, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return dice(in[0], in[1], m, v, kEps); },
                   {param({4, 3}, rng), param({3}, rng, -0.5, 0.5)});
}

TEST(DiceOp, MatchesTheComposedFormulaInTrainingAndEval) {
  Rng rng(3);
  const Tensor m = Tensor::uniform({4}, -1, 1, rng, DType::Float64);
  const Tensor v = Tensor::uniform({4}, 0.5, 2, rng, DType::Float64);
  const Inputs values{param({3, 5, 4}, rng), param({4}, rng, -0.5, 0.5)};
  expect_same_values_and_grads([](const Inputs& in) { return dice(in[0], in[1], kEps); },
                               [](const Inputs& in) { return composed_batch(in[0], in[1]); }, values, rng);
  expect_same_values_and_grads([&](const Inputs& in) { return dice(in[0], in[1], m, v, kEps); },
                               [&](const Inputs& in) { return composed_fixed(in[0], in[1], m, v); }, values, rng);
}

// The float32 forward runs exp over a row 8 lanes at a time (libmvec, AVX2), then 4, then one by one:
// D = 87 = 10 * 8 + 4 + 3 takes every path. With batch statistics one outlier each way per feature
// puts |s| near 35, where p is 1 to float precision or about 4e-16; with fixed statistics |s| goes past
// 88, where float's exp(-s) overflows to inf and p must come out 0, not NaN.
TEST(DiceOp, Float32MatchesFloat64ThroughSaturatedExpAndTheVectorTail) {
  constexpr std::size_t n = 3000, D = 87;
  Rng rng(4);
  std::vector<double> values = Tensor::uniform({n, D}, -1, 1, rng).to_vector();
  for (std::size_t j = 0; j < D; ++j) {
    values[j] = 50;
    values[D + j] = -50;
  }
  const Tensor x = Tensor::from_vector({n, D}, values), alpha = Tensor::uniform({D}, -1, 1, rng);
  expect_float32_matches_float64([](const Inputs& in) { return dice(in[0], in[1], kEps); }, x, alpha, rng);

  const Tensor m = Tensor::uniform({D}, -1, 1, rng, DType::Float64);
  const Tensor v = Tensor::uniform({D}, 0.5, 2, rng, DType::Float64);
  expect_float32_matches_float64([&](const Inputs& in) { return dice(in[0], in[1], m, v, kEps); },
                                 Tensor::uniform({n, D}, -120, 120, rng), alpha, rng);
}

TEST(DiceOp, ReportsBiasedBatchStatistics) {
  const Tensor x = Tensor::from_vector({3, 2}, {1, 10, 2, 20, 6, 60}, DType::Float64);
  std::vector<double> m, v;
  dice(x, Tensor::zeros({2}, DType::Float64), kEps, &m, &v);
  EXPECT_EQ(m, (std::vector<double>{3, 30}));
  EXPECT_NEAR(v[0], 14.0 / 3, 1e-12);
  EXPECT_NEAR(v[1], 1400.0 / 3, 1e-9);
}

TEST(DiceOp, BadShapesAndSingleRowThrowNamingThem) {
  const Tensor alpha = Tensor::zeros({3});
  EXPECT_TRUE(ThrowsNaming([&] { dice(Tensor::zeros({4, 2}), alpha, kEps); }, {"dice", "x [4, 2]", "alpha [3]"}));
  EXPECT_TRUE(ThrowsNaming([&] { dice(Tensor::zeros({1, 3}), alpha, kEps); }, {"dice", "more than one row", "[1, 3]"}));
  EXPECT_TRUE(ThrowsNaming([&] { dice(Tensor::zeros({4, 3}), alpha, Tensor::zeros({2}), Tensor::ones({3}), kEps); },
                           {"dice", "mean [2]", "[3]"}));
}
