// Adam and AdamW with 2 threads (core/parallel.h): the update is elementwise, so the parameters and
// every moment equal those of 1 thread bit for bit, dense and lazy (row-sparse) alike.
#include <gtest/gtest.h>

#include <memory>

#include "core/parallel.h"
#include "core/random.h"
#include "optim/adam.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

// A dense weight and an embedding table big enough that the update runs on 2 threads, after three
// steps of random gradients (the table's row-sparse, with repeated rows); returns the state dict
// with the parameters in front.
NamedTensors after_three_steps(int threads, bool decoupled, AdamOptions options) {
  set_threads(threads);
  Rng rng(1);
  Tensor weight = Tensor::randn({300, 200}, rng).requires_grad_();
  Tensor table = Tensor::randn({5000, 16}, rng).requires_grad_();
  const NamedTensors params = {{"weight", weight}, {"items", table}};
  std::unique_ptr<Adam> adam = decoupled ? std::make_unique<AdamW>(params, options) : std::make_unique<Adam>(params, options);
  for (std::uint64_t t = 0; t < 3; ++t) {
    Rng step_rng(10 + t);
    std::vector<std::int64_t> rows(4000);
    for (auto& row : rows) row = std::int64_t(step_rng.uniform(0, 5000));
    adam->zero_grad();
    add_grad(weight, Tensor::randn({300, 200}, step_rng));
    add_row_grad(table, rows, Tensor::randn({rows.size(), 16}, step_rng));
    adam->step();
  }
  set_threads(1);
  NamedTensors state = {{"weight", weight.detach()}, {"items", table.detach()}};
  for (auto& entry : adam->state_dict()) state.push_back(entry);
  return state;
}

void expect_two_threads_bit_identical(bool decoupled, AdamOptions options) {
  const NamedTensors one = after_three_steps(1, decoupled, options), two = after_three_steps(2, decoupled, options);
  ASSERT_EQ(one.size(), two.size());
  for (std::size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(BitwiseEqual(two[i].second, one[i].second)) << one[i].first;
}

}  // namespace

TEST(AdamThreads, LazyAdamWithAmsgradIsBitIdenticalToOneThread) {
  AdamOptions options;
  options.lazy = true;
  options.amsgrad = true;
  options.weight_decay = 0.01;
  expect_two_threads_bit_identical(false, options);
}

TEST(AdamThreads, DenseAdamWIsBitIdenticalToOneThread) { expect_two_threads_bit_identical(true, AdamW::defaults()); }

}  // namespace recgrad::testing
