// Lazy Adam: only the rows of an embedding table used in the batch move (optim/adam.h).
#include <gtest/gtest.h>

#include "core/random.h"
#include "optim/adam.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

constexpr std::size_t kRows = 6, kWidth = 3;

AdamOptions options(bool lazy, bool amsgrad = false, double weight_decay = 0) {
  AdamOptions o;
  o.lr = 0.1;
  o.lazy = lazy;
  o.amsgrad = amsgrad;
  o.weight_decay = weight_decay;
  return o;
}

// One lookup step: `rows` of the table (repeats allowed) get random gradient rows.
void lookup_step(Optimizer& opt, const Tensor& table, const std::vector<std::int64_t>& rows, std::uint64_t seed) {
  Rng rng(seed);
  opt.zero_grad();
  add_row_grad(table, rows, Tensor::randn({rows.size(), kWidth}, rng, table.dtype()));
  opt.step();
}

void expect_all_rows_equal_dense(DType dtype, bool amsgrad, double weight_decay) {
  Rng rng(3);
  const Tensor start = Tensor::randn({kRows, kWidth}, rng, dtype);
  Tensor lazy_table = start.detach().requires_grad_(), dense_table = start.detach().requires_grad_();
  Adam lazy({{"items", lazy_table}}, options(true, amsgrad, weight_decay));
  Adam dense({{"items", dense_table}}, options(false, amsgrad, weight_decay));
  const std::vector<std::int64_t> every_row = {4, 0, 1, 2, 5, 3, 0};  // shuffled, with a repeat
  for (std::uint64_t t = 0; t < 5; ++t) {
    lookup_step(lazy, lazy_table, every_row, t);
    lookup_step(dense, dense_table, every_row, t);
  }
  ASSERT_NE(lazy_table.grad_rows(), nullptr) << "the lookup should leave a row-sparse gradient";
  EXPECT_TRUE(BitwiseEqual(lazy_table, dense_table));
  const NamedTensors lazy_state = lazy.state_dict(), dense_state = dense.state_dict();
  ASSERT_EQ(lazy_state.size(), dense_state.size());
  for (std::size_t i = 0; i < lazy_state.size(); ++i)
    EXPECT_TRUE(BitwiseEqual(lazy_state[i].second, dense_state[i].second)) << lazy_state[i].first;
}

TEST(LazyAdam, BatchTouchingEveryRowEqualsDenseAdam) { expect_all_rows_equal_dense(DType::Float64, false, 0); }

TEST(LazyAdam, BatchTouchingEveryRowEqualsDenseAdamAmsgradWeightDecayFloat32) {
  expect_all_rows_equal_dense(DType::Float32, true, 0.1);
}

TEST(LazyAdam, UntouchedRowsKeepValuesAndMoments) {
  Rng rng(5);
  Tensor table = Tensor::randn({kRows, kWidth}, rng, DType::Float64).requires_grad_();
  Adam opt({{"items", table}}, options(true, true, 0.1));
  lookup_step(opt, table, {0, 1, 2, 3, 4}, 1);  // every row but 5 gets moments
  const Tensor table_before = table.detach();
  const NamedTensors state_before = opt.state_dict();

  lookup_step(opt, table, {1, 3, 1}, 2);
  const NamedTensors state_after = opt.state_dict();
  for (std::size_t row : {0, 2, 4, 5}) {
    EXPECT_TRUE(BitwiseEqual(row_of(table, row), row_of(table_before, row))) << "row " << row;
    for (const char* field : {"items.exp_avg", "items.exp_avg_sq", "items.max_exp_avg_sq"})
      EXPECT_TRUE(BitwiseEqual(row_of(state_entry(state_after, field), row), row_of(state_entry(state_before, field), row)))
          << field << " row " << row;
  }
  for (std::size_t row : {1, 3}) EXPECT_FALSE(BitwiseEqual(row_of(table, row), row_of(table_before, row))) << row;
  EXPECT_EQ(state_entry(state_after, "items.step").item(), 2.0);
}

TEST(LazyAdam, DenseAdamMovesUntouchedRows) {
  // The contrast that makes lazy Adam worth having: dense Adam keeps moving a row along its old moment.
  Rng rng(5);
  Tensor table = Tensor::randn({kRows, kWidth}, rng, DType::Float64).requires_grad_();
  Adam opt({{"items", table}}, options(false));
  lookup_step(opt, table, {0, 1}, 1);
  const Tensor before = table.detach();
  lookup_step(opt, table, {1}, 2);
  EXPECT_FALSE(BitwiseEqual(row_of(table, 0), row_of(before, 0)));
}

TEST(LazyAdam, MatchesPyTorchSparseAdam) {
  // SparseAdam's eps sits before the bias correction; with eps tiny both rules are the same.
  const char* file = "optim.json";
  Tensor table = fixture_tensor(file, "sparse.table0").requires_grad_();
  const Tensor touched = fixture_tensor(file, "sparse.touched"), grads = fixture_tensor(file, "sparse.grads");
  const Tensor expected = fixture_tensor(file, "sparse_adam.table");
  AdamOptions o = options(true);
  o.eps = 1e-14;
  Adam opt({{"items", table}}, o);
  for (std::size_t t = 0; t < expected.shape()[0]; ++t) {
    std::vector<std::int64_t> rows;
    std::vector<double> row_grads;
    const Tensor grad = slice_first(grads, t);
    for (std::size_t r = 0; r < kRows; ++r)
      if (touched.at({t, r}) == 1) {
        rows.push_back(static_cast<std::int64_t>(r));
        for (std::size_t j = 0; j < kWidth; ++j) row_grads.push_back(grad.at({r, j}));
      }
    opt.zero_grad();
    add_row_grad(table, rows, Tensor::from_vector({rows.size(), kWidth}, row_grads, DType::Float64));
    opt.step();
    ASSERT_TRUE(AllClose(table, slice_first(expected, t), 1e-10)) << "step " << t + 1;
  }
}

TEST(LazyAdam, DenseParametersUpdateAsPlainAdam) {
  Rng rng(9);
  const Tensor start = Tensor::randn({2, 3}, rng, DType::Float64);
  Tensor a = start.detach().requires_grad_(), b = start.detach().requires_grad_();
  Adam lazy({{"p", a}}, options(true)), dense({{"p", b}}, options(false));
  for (std::uint64_t t = 0; t < 3; ++t) {
    Rng g(t);
    const Tensor grad = Tensor::randn({2, 3}, g, DType::Float64);
    lazy.zero_grad();
    dense.zero_grad();
    add_grad(a, grad);
    add_grad(b, grad);
    lazy.step();
    dense.step();
  }
  EXPECT_TRUE(BitwiseEqual(a, b));
}

TEST(LazyAdam, ZeroGradClearsOnlyTheTouchedRows) {
  Tensor table = Tensor::ones({kRows, kWidth}, DType::Float64).requires_grad_();
  Adam opt({{"items", table}}, options(true));
  add_row_grad(table, {2, 4}, Tensor::ones({2, kWidth}, DType::Float64));
  opt.zero_grad();
  ASSERT_NE(table.grad_rows(), nullptr);
  EXPECT_TRUE(table.grad_rows()->empty());
  EXPECT_TRUE(BitwiseEqual(table.grad(), Tensor::zeros({kRows, kWidth}, DType::Float64)));
}

TEST(LazyAdam, StepWithoutTouchedRowsCountsButMovesNothing) {
  Tensor table = Tensor::ones({kRows, kWidth}, DType::Float64).requires_grad_();
  Adam opt({{"items", table}}, options(true));
  lookup_step(opt, table, {2}, 1);
  const Tensor before = table.detach();
  opt.zero_grad();
  opt.step();  // the table was not used in this batch
  EXPECT_TRUE(BitwiseEqual(table, before));
  EXPECT_EQ(state_entry(opt.state_dict(), "items.step").item(), 2.0);
}

}  // namespace
}  // namespace recgrad::testing
