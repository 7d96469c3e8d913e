// Gradient clipping against torch.nn.utils.clip_grad_norm_ (tests/golden/optim.py).
#include <cmath>
#include <limits>
#include <stdexcept>

#include <gtest/gtest.h>

#include "optim/clip.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

constexpr const char* kFixture = "optim.json";

struct ClipCase {
  const char* label;
  double norm_type, max_norm;
};

class ClipGradNorm : public ::testing::TestWithParam<ClipCase> {};

TEST_P(ClipGradNorm, MatchesPyTorchNormAndScaledGrads) {
  const ClipCase c = GetParam();
  Tensor w = fixture_tensor(kFixture, "problem.w0").requires_grad_();
  Tensor b = fixture_tensor(kFixture, "problem.b0").requires_grad_();
  add_grad(w, fixture_tensor(kFixture, "clip.grad_w"));
  add_grad(b, fixture_tensor(kFixture, "clip.grad_b"));
  const std::string prefix = std::string("clip_") + c.label;
  const double total = clip_grad_norm({{"w", w}, {"b", b}}, c.max_norm, c.norm_type);
  EXPECT_NEAR(total, fixture_tensor(kFixture, prefix + ".total").item(), 1e-12);
  EXPECT_TRUE(AllClose(w.grad(), fixture_tensor(kFixture, prefix + ".grad_w"), 1e-12));
  EXPECT_TRUE(AllClose(b.grad(), fixture_tensor(kFixture, prefix + ".grad_b"), 1e-12));
}

INSTANTIATE_TEST_SUITE_P(Golden, ClipGradNorm,
                         ::testing::Values(ClipCase{"norm2", 2.0, 1.0}, ClipCase{"norm2_no_clip", 2.0, 100.0},
                                           ClipCase{"norm1", 1.0, 1.0}, ClipCase{"norm3", 3.0, 1.0},
                                           ClipCase{"norm_inf", std::numeric_limits<double>::infinity(), 1.0}),
                         [](const ::testing::TestParamInfo<ClipCase>& info) { return std::string(info.param.label); });

TEST(ClipGradNormRows, RowSparseGradientGivesTheDenseNorm) {
  Tensor sparse_table = Tensor::ones({5, 2}, DType::Float64).requires_grad_();
  Tensor dense_table = Tensor::ones({5, 2}, DType::Float64).requires_grad_();
  const Tensor row_grads = Tensor::from_vector({3, 2}, {3, -4, 1, 2, 0.5, -1}, DType::Float64);
  add_row_grad(sparse_table, {1, 3, 1}, row_grads);
  add_grad(dense_table, sparse_table.grad());
  ASSERT_NE(sparse_table.grad_rows(), nullptr);
  const double sparse_norm = clip_grad_norm({{"t", sparse_table}}, 1.0);
  const double dense_norm = clip_grad_norm({{"t", dense_table}}, 1.0);
  EXPECT_DOUBLE_EQ(sparse_norm, dense_norm);
  EXPECT_TRUE(AllClose(sparse_table.grad(), dense_table.grad(), 1e-15));
}

TEST(ClipGradNormRows, ParametersWithoutGradAreLeftOut) {
  Tensor w = Tensor::zeros({2}, DType::Float64).requires_grad_();
  Tensor unused = Tensor::zeros({3}, DType::Float64).requires_grad_();
  add_grad(w, Tensor::from_vector({2}, {3, 4}, DType::Float64));
  EXPECT_DOUBLE_EQ(clip_grad_norm({{"w", w}, {"unused", unused}}, 10.0), 5.0);
  EXPECT_FALSE(unused.grad().defined());
}

TEST(ClipGradValue, ClampsEveryElement) {
  Tensor w = Tensor::zeros({4}, DType::Float32).requires_grad_();
  add_grad(w, Tensor::from_vector({4}, {-3, -0.5, 0.25, 2}, DType::Float32));
  clip_grad_value({{"w", w}}, 1.0);
  EXPECT_EQ(w.grad().to_vector(), (std::vector<double>{-1, -0.5, 0.25, 1}));
}

TEST(ClipErrors, BadArgumentsAreRejected) {
  Tensor w = Tensor::zeros({2}, DType::Float64).requires_grad_();
  EXPECT_THROW(clip_grad_norm({{"w", w}}, -1.0), std::invalid_argument);
  EXPECT_THROW(clip_grad_norm({{"w", w}}, 1.0, 0.0), std::invalid_argument);
  EXPECT_THROW(clip_grad_value({{"w", w}}, -0.1), std::invalid_argument);
}

}  // namespace
}  // namespace recgrad::testing
