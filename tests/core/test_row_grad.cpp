// accumulate_grad_rows, the row-sparse backward of gather_rows (core/row_grad.h): the packed rows are
// the sorted union of the rows used, and each holds, bit for bit in float32 and float64, what a dense
// scatter-add in position order gives, whatever the order of the indices, the table's size and the
// thread count.
#include <algorithm>
#include <cstring>

#include "core/parallel.h"
#include "core/row_grad.h"
#include "core/storage_pool.h"
#include "core/tensor_impl.h"
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {

// One backward call: the rows it adds into, and their gradient [rows.size(), width].
struct Lookup {
  std::vector<std::int64_t> rows;
  std::vector<double> grad;
};

Lookup lookup(std::vector<std::int64_t> rows, std::size_t width, Rng& rng) {
  std::vector<double> grad(rows.size() * width);
  for (double& g : grad) g = rng.uniform(-1, 1);
  return {std::move(rows), std::move(grad)};
}

// The reference: a dense [vocabulary, width] gradient, each lookup's rows added in position order.
template <class T>
std::vector<T> dense_scatter(std::size_t vocabulary, std::size_t width, const std::vector<Lookup>& lookups,
                             std::int64_t skip_row) {
  std::vector<T> dense(vocabulary * width, T(0));
  for (const Lookup& l : lookups)
    for (std::size_t p = 0; p < l.rows.size(); ++p)
      if (l.rows[p] != skip_row)
        for (std::size_t j = 0; j < width; ++j) dense[std::size_t(l.rows[p]) * width + j] += T(l.grad[p * width + j]);
  return dense;
}

// Accumulates the lookups in turn into a fresh table's row-sparse grad; its rows must be the sorted
// union of the rows used (skip_row left out) and its values the reference's, bit for bit.
template <class T>
::testing::AssertionResult MatchesDenseScatter(std::size_t vocabulary, std::size_t width,
                                               const std::vector<Lookup>& lookups, std::int64_t skip_row = -1) {
  Tensor table = Tensor::zeros({vocabulary, width}, dtype_of<T>()).requires_grad_();
  std::vector<std::int64_t> expected_rows;
  for (const Lookup& l : lookups) {
    const std::vector<T> grad(l.grad.begin(), l.grad.end());
    accumulate_grad_rows<T>(*table.impl(), l.rows, grad.data(), skip_row, "test");
    for (std::int64_t row : l.rows)
      if (row != skip_row) expected_rows.push_back(row);
  }
  std::sort(expected_rows.begin(), expected_rows.end());
  expected_rows.erase(std::unique(expected_rows.begin(), expected_rows.end()), expected_rows.end());
  if (!table.grad_rows()) return ::testing::AssertionFailure() << "the grad is not row-sparse";
  if (*table.grad_rows() != expected_rows)
    return ::testing::AssertionFailure() << table.grad_rows()->size() << " rows, expected " << expected_rows.size();
  const std::vector<T> dense = dense_scatter<T>(vocabulary, width, lookups, skip_row);
  const T* packed = table.grad_data<T>();
  for (std::size_t i = 0; i < expected_rows.size(); ++i)
    for (std::size_t j = 0; j < width; ++j) {
      const T want = dense[std::size_t(expected_rows[i]) * width + j], got = packed[i * width + j];
      if (std::memcmp(&got, &want, sizeof(T)) != 0)
        return ::testing::AssertionFailure() << "row " << expected_rows[i] << ", column " << j << ": " << got
                                             << " vs " << want;
    }
  return ::testing::AssertionSuccess();
}

// `n` rows drawn from [0, vocabulary): with n much larger than vocabulary, each row repeats many times.
std::vector<std::int64_t> random_rows(std::size_t n, std::size_t vocabulary, Rng& rng) {
  std::vector<std::int64_t> rows(n);
  for (auto& row : rows) row = std::int64_t(rng.below(vocabulary));
  return rows;
}

}  // namespace

TEST(RowGrad, RepeatedRowsSumInPositionOrderAsADenseScatter) {
  Rng rng(1);
  const std::vector<Lookup> lookups{lookup(random_rows(3000, 40, rng), 5, rng)};
  EXPECT_TRUE(MatchesDenseScatter<float>(40, 5, lookups));
  EXPECT_TRUE(MatchesDenseScatter<double>(40, 5, lookups));
}

TEST(RowGrad, PaddingRowIsLeftOut) {
  Rng rng(2);
  const std::vector<Lookup> lookups{lookup(random_rows(2000, 30, rng), 3, rng)};
  EXPECT_TRUE(MatchesDenseScatter<float>(30, 3, lookups, 0));
  EXPECT_TRUE(MatchesDenseScatter<double>(30, 3, lookups, 7));
  // Only padding: no rows.
  const std::vector<Lookup> padding{lookup({0, 0, 0}, 3, rng)};
  EXPECT_TRUE(MatchesDenseScatter<float>(30, 3, padding, 0));
}

TEST(RowGrad, RowsAlreadyThereMergeWithTheNewOnes) {
  // Later lookups share some rows with the earlier ones and bring new ones, below, between and above.
  Rng rng(3);
  const std::vector<Lookup> lookups{lookup(random_rows(500, 100, rng), 4, rng),
                                    lookup(random_rows(800, 200, rng), 4, rng), lookup({150, 3, 150}, 4, rng)};
  EXPECT_TRUE(MatchesDenseScatter<float>(200, 4, lookups, 0));
  EXPECT_TRUE(MatchesDenseScatter<double>(200, 4, lookups, 0));
}

TEST(RowGrad, UnsortedAndDescendingIndices) {
  Rng rng(4);
  std::vector<std::int64_t> descending;
  for (std::int64_t row = 49; row >= 0; --row) descending.insert(descending.end(), 3, row);
  const std::vector<Lookup> lookups{lookup({9, 2, 7, 2, 0, 9, 5}, 3, rng), lookup(descending, 3, rng)};
  EXPECT_TRUE(MatchesDenseScatter<float>(50, 3, {lookups[0]}));
  EXPECT_TRUE(MatchesDenseScatter<float>(50, 3, {lookups[1]}));
  EXPECT_TRUE(MatchesDenseScatter<double>(50, 3, lookups));
}

TEST(RowGrad, EmptyIndexListLeavesTheRows) {
  Rng rng(5);
  EXPECT_TRUE(MatchesDenseScatter<float>(10, 2, {lookup({}, 2, rng)}));  // an empty, row-sparse grad
  EXPECT_TRUE(MatchesDenseScatter<double>(10, 2, {lookup({4, 1, 4}, 2, rng), lookup({}, 2, rng)}));
}

TEST(RowGrad, OneRowRepeatedNTimes) {
  Rng rng(6);
  const std::vector<Lookup> lookups{lookup(std::vector<std::int64_t>(5000, 17), 6, rng)};
  EXPECT_TRUE(MatchesDenseScatter<float>(20, 6, lookups));
  EXPECT_TRUE(MatchesDenseScatter<double>(20, 6, lookups));
}

TEST(RowGrad, RowsOfLargeTablesSortOnEveryDigit) {
  // The rows are sorted 11 bits at a time: a million rows take 2 passes, five million 3. Rows far apart,
  // and repeated runs of consecutive ones across digit boundaries and at the end of the table.
  Rng rng(7);
  for (const std::size_t vocabulary : {1000000, 5000000}) {
    std::vector<std::int64_t> rows = random_rows(3000, vocabulary, rng);
    for (const std::int64_t boundary : {std::int64_t(1) << 11, std::int64_t(1) << 22, std::int64_t(vocabulary)})
      for (std::int64_t row = boundary - 3; row < boundary + 3; ++row)
        if (row < std::int64_t(vocabulary)) rows.insert(rows.end(), 3, row);
    EXPECT_TRUE(MatchesDenseScatter<float>(vocabulary, 1, {lookup(rows, 1, rng)}, 0)) << vocabulary << " rows";
  }
}

TEST(RowGrad, TwoThreadsGiveTheDenseScatterBitForBit) {
  // Large enough that threads_for gives the fill 2 threads.
  Rng rng(8);
  const std::vector<Lookup> lookups{lookup(random_rows(20000, 3000, rng), 8, rng),
                                    lookup(random_rows(20000, 6000, rng), 8, rng)};
  set_threads(2);
  const bool matches = MatchesDenseScatter<float>(6000, 8, lookups, 0);
  set_threads(1);
  EXPECT_TRUE(matches);
}

TEST(RowGrad, PositionsByRowAreAStableSortByRowWithoutTheSkippedRow) {
  // Unsorted rows (two radix passes for 5000 rows), and rows already in order (returned as they are).
  const std::vector<std::int64_t> rows = {4000, 2, 7, 2, 4000, 0, 7, 2};
  const PooledVector<std::size_t> order = positions_by_row(rows, 7, 5000);
  EXPECT_EQ(std::vector<std::size_t>(order.begin(), order.end()), (std::vector<std::size_t>{5, 1, 3, 7, 0, 4}));
  const std::vector<std::int64_t> sorted = {0, 0, 1, 3, 3, 3, 9};
  const PooledVector<std::size_t> same = positions_by_row(sorted, 1, 10);
  EXPECT_EQ(std::vector<std::size_t>(same.begin(), same.end()), (std::vector<std::size_t>{0, 1, 3, 4, 5, 6}));
}

TEST(RowGrad, PositionBuffersGoBackToTheStoragePool) {
  // The sort's [n] buffers come from the pool, not from malloc (why: core/storage_pool.h).
  storage_pool::release();
  Tensor table = Tensor::zeros({100, 1}).requires_grad_();
  std::vector<std::int64_t> rows(20000);
  for (std::size_t p = 0; p < rows.size(); ++p) rows[p] = std::int64_t(p * 7 % 100);  // unsorted: the radix sort runs
  const std::vector<float> grad(rows.size(), 1.0f);
  accumulate_grad_rows<float>(*table.impl(), rows, grad.data(), -1, "test");
  EXPECT_GE(storage_pool::pooled_bytes(), 2 * rows.size() * sizeof(std::size_t));  // positions, sorted
  storage_pool::release();
}

TEST(RowGrad, TwoLookupsInOneGraphMatchTheDenseGradient) {
  // Two gathers of one table in one graph: the second to run adds into the rows of the first. A table
  // whose grad is already dense (made so by a zero dense contribution) takes the dense scatter, the
  // reference, in the same backward order.
  Rng rng(9);
  const std::vector<std::int64_t> history = random_rows(3000, 300, rng), target = random_rows(64, 300, rng);
  const Tensor dy_history = Tensor::uniform({3000, 4}, -1, 1, rng), dy_target = Tensor::uniform({64, 4}, -1, 1, rng);
  auto backward = [&](Tensor& table) {
    (sum(gather_rows(table, history, {3000}, 0) * dy_history) + sum(gather_rows(table, target, {64}, 0) * dy_target))
        .backward();
  };
  Tensor sparse = Tensor::uniform({300, 4}, -1, 1, rng).requires_grad_();
  Tensor dense = sparse.detach().requires_grad_();
  mul(dense, Tensor::zeros({1})).backward(Tensor::zeros({300, 4}));
  backward(sparse);
  backward(dense);
  ASSERT_NE(sparse.grad_rows(), nullptr);
  ASSERT_EQ(dense.grad_rows(), nullptr);
  const std::vector<double> a = sparse.grad().to_vector(), b = dense.grad().to_vector();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(std::memcmp(&a[i], &b[i], sizeof(double)), 0) << "element " << i;
}

TEST(RowGrad, GradcheckTwoLookupsOfOneTable) {
  Rng rng(10);
  EXPECT_GRADCHECK(
      [](const Inputs& in) {
        return gather_rows(in[0], {3, 1, 3, 4}, {2, 2}) * gather_rows(in[0], {1, 4, 4, 0}, {2, 2});
      },
      {param({5, 3}, rng)});
}
