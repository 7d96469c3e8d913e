// Row-sparse gradients (an embedding lookup's: only the touched rows are stored) through clipping
// and the optimizers that update every element: the same result as the dense gradient with zero rows.
#include <gtest/gtest.h>

#include "core/random.h"
#include "optim/adam.h"
#include "optim/clip.h"
#include "optim/sgd.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

constexpr std::size_t kRows = 7, kWidth = 3;

// Gives `sparse` a row-sparse gradient for `rows` (repeats sum) and `dense` the same values densely.
void same_gradient(const Tensor& sparse, const Tensor& dense, const std::vector<std::int64_t>& rows, Rng& rng) {
  add_row_grad(sparse, rows, Tensor::randn({rows.size(), kWidth}, rng, DType::Float64));
  ASSERT_NE(sparse.grad_rows(), nullptr);
  add_grad(dense, sparse.grad());
  ASSERT_EQ(dense.grad_rows(), nullptr);
}

// Steps `make(param)`'s optimizer on two copies of a table, one fed row-sparse and one dense
// gradients of equal values, clipping both to a small norm first; both must end equal.
template <class MakeOptimizer>
void expect_sparse_equals_dense(MakeOptimizer make) {
  Rng rng(17);
  const Tensor start = Tensor::randn({kRows, kWidth}, rng, DType::Float64);
  Tensor sparse = start.detach().requires_grad_(), dense = start.detach().requires_grad_();
  auto sparse_opt = make(sparse), dense_opt = make(dense);
  const std::vector<std::vector<std::int64_t>> batches = {{5, 1, 5}, {0, 6}, {2, 3, 2, 4}, {6}};
  for (const auto& rows : batches) {
    sparse_opt.zero_grad();
    dense_opt.zero_grad();
    same_gradient(sparse, dense, rows, rng);
    const double sparse_norm = clip_grad_norm({{"t", sparse}}, 0.5);
    const double dense_norm = clip_grad_norm({{"t", dense}}, 0.5);
    EXPECT_NEAR(sparse_norm, dense_norm, 1e-12);
    EXPECT_TRUE(AllClose(sparse.grad(), dense.grad(), 1e-12));
    sparse_opt.step();
    dense_opt.step();
  }
  EXPECT_TRUE(AllClose(sparse, dense, 1e-12));
  const NamedTensors sparse_state = sparse_opt.state_dict(), dense_state = dense_opt.state_dict();
  ASSERT_EQ(sparse_state.size(), dense_state.size());
  for (std::size_t i = 0; i < sparse_state.size(); ++i)
    EXPECT_TRUE(AllClose(sparse_state[i].second, dense_state[i].second, 1e-12)) << sparse_state[i].first;
}

TEST(RowSparseGrad, ClipThenDenseAdamEqualsDenseGradient) {
  expect_sparse_equals_dense([](const Tensor& t) {
    AdamOptions o;
    o.lr = 0.1;
    o.amsgrad = true;
    o.weight_decay = 0.01;
    return Adam({{"t", t}}, o);
  });
}

TEST(RowSparseGrad, ClipThenSgdWithMomentumEqualsDenseGradient) {
  expect_sparse_equals_dense([](const Tensor& t) {
    SGDOptions o;
    o.lr = 0.1;
    o.momentum = 0.9;
    o.nesterov = true;
    return SGD({{"t", t}}, o);
  });
}

TEST(RowSparseGrad, ClipGradValueEqualsDenseGradient) {
  Rng rng(19);
  Tensor sparse = Tensor::zeros({kRows, kWidth}, DType::Float64).requires_grad_();
  Tensor dense = Tensor::zeros({kRows, kWidth}, DType::Float64).requires_grad_();
  same_gradient(sparse, dense, {3, 0, 3}, rng);
  clip_grad_value({{"t", sparse}}, 0.5);
  clip_grad_value({{"t", dense}}, 0.5);
  EXPECT_TRUE(AllClose(sparse.grad(), dense.grad(), 0.0));
}

}  // namespace
}  // namespace recgrad::testing
