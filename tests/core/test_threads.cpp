// Threads (core/parallel.h): the ops with parallel loops give, with 2 threads, the results of 1 thread
// bit for bit where their iterations write disjoint outputs, and within 1e-6 of the largest magnitude
// (float32) where a sum over the batch is split between threads; two runs with 2 threads agree bit
// for bit. Shapes are large enough that threads_for gives the loops 2 threads.
#include <cmath>
#include <cstring>
#include <functional>

#include "core/parallel.h"
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {

// An op run on fresh float32 leaves made from a fixed seed: its output and the leaves.
using OpRun = std::function<std::pair<Tensor, std::vector<Tensor>>()>;

// The output and each leaf's gradient after backward of a fixed dy, with `threads` threads.
std::vector<Tensor> results_with(int threads, const OpRun& op) {
  set_threads(threads);
  auto [y, leaves] = op();
  Rng rng(99);
  y.backward(Tensor::uniform(y.shape(), -1, 1, rng));
  std::vector<Tensor> results{y.detach()};
  for (const Tensor& leaf : leaves) results.push_back(leaf.grad());
  set_threads(1);
  return results;
}

::testing::AssertionResult Bitwise(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  if (a.shape() != b.shape()) return ::testing::AssertionFailure() << "shapes differ";
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::memcmp(&x[i], &y[i], sizeof(double)) != 0)
      return ::testing::AssertionFailure() << "element " << i << ": " << x[i] << " vs " << y[i];
  return ::testing::AssertionSuccess();
}

// |a - b| <= 1e-6 * max |b| elementwise.
::testing::AssertionResult CloseToLargest(const Tensor& a, const Tensor& b) {
  double largest = 0;
  for (double v : b.to_vector()) largest = std::max(largest, std::abs(v));
  return AllClose(a, b, 1e-6 * largest);
}

enum class Promise { BitIdentical, Close };

// Result k (0: output, then each leaf's gradient) is `promises[k]` between 1 and 2 threads; two runs
// with 2 threads agree bit for bit in every result.
void expect_thread_counts_agree(const OpRun& op, const std::vector<Promise>& promises) {
  const std::vector<Tensor> one = results_with(1, op), two = results_with(2, op), two_again = results_with(2, op);
  ASSERT_EQ(one.size(), promises.size());
  for (std::size_t k = 0; k < one.size(); ++k) {
    if (promises[k] == Promise::BitIdentical)
      EXPECT_TRUE(Bitwise(two[k], one[k])) << "result " << k << ", 2 threads vs 1";
    else
      EXPECT_TRUE(CloseToLargest(two[k], one[k])) << "result " << k << ", 2 threads vs 1";
    EXPECT_TRUE(Bitwise(two_again[k], two[k])) << "result " << k << ", two runs with 2 threads";
  }
}

Tensor leaf(const Shape& shape, std::uint64_t seed, double low = -2, double high = 2) {
  Rng rng(seed);
  return Tensor::uniform(shape, low, high, rng).requires_grad_();
}

constexpr auto kBit = Promise::BitIdentical;
constexpr auto kClose = Promise::Close;

}  // namespace

TEST(Threads, LoopsWithEnoughWorkGetTheThreadsSetAndSmallOnesStaySerial) {
  set_threads(2);
  EXPECT_EQ(threads(), 2);
  EXPECT_EQ(threads_for(1 << 20), 2);
  EXPECT_EQ(threads_for(100), 1);
  set_threads(1);
  EXPECT_EQ(threads_for(1 << 20), 1);
  EXPECT_TRUE(ThrowsNaming([] { set_threads(0); }, {"set_threads", "0"}));
}

TEST(Threads, PartialSumsAddEachThreadsBlockThenTheBlocksInThreadOrder) {
  // Rows 0-1 go to thread 0 and rows 2-3 to thread 1 (static schedule): (x0 + x1) + (x2 + x3), which
  // in float32 is 0 here, where the serial ((x0 + x1) + x2) + x3 is 1.
  const std::vector<float> x = {1e8f, 1.0f, -1e8f, 1.0f};
  PartialSums<float> sums(2, 1);
#pragma omp parallel for schedule(static) num_threads(2)
  for (std::size_t r = 0; r < x.size(); ++r) sums.mine()[0] += x[r];
  EXPECT_EQ(sums.total()[0], (x[0] + x[1]) + (x[2] + x[3]));
  PartialSums<float> serial(1, 1);
  for (float v : x) serial.mine()[0] += v;
  EXPECT_EQ(serial.total()[0], ((x[0] + x[1]) + x[2]) + x[3]);
}

TEST(Threads, GatherRowsAndItsRowSparseScatterAreBitIdenticalToOneThread) {
  expect_thread_counts_agree(
      [] {
        Tensor table = leaf({500, 32}, 1);
        Rng rng(2);
        std::vector<std::int64_t> ids(4096);
        for (auto& id : ids) id = std::int64_t(rng.uniform(0, 500));  // many repeated rows
        return std::pair{gather_rows(table, ids, {64, 64}, 0), std::vector{table}};
      },
      {kBit, kBit});
}

TEST(Threads, MaskedSoftmaxIsBitIdenticalToOneThread) {
  expect_thread_counts_agree(
      [] {
        Tensor x = leaf({512, 2, 1, 50}, 3);
        std::vector<std::size_t> lengths(512);
        for (std::size_t b = 0; b < lengths.size(); ++b) lengths[b] = b % 51;  // empty histories too
        const Tensor mask = reshape(padding_mask(lengths, 50), {512, 1, 1, 50});
        return std::pair{softmax(x, -1, mask), std::vector{x}};
      },
      {kBit, kBit});
}

TEST(Threads, DiceWithBatchStatisticsIsCloseToOneThread) {
  expect_thread_counts_agree(
      [] {
        Tensor x = leaf({2000, 40}, 4), alpha = leaf({40}, 5, 0, 1);
        return std::pair{dice(x, alpha, 1e-8), std::vector{x, alpha}};
      },
      {kClose, kClose, kClose});
}

TEST(Threads, DiceWithFixedStatisticsIsBitIdenticalExceptItsSlopeGradient) {
  expect_thread_counts_agree(
      [] {
        Tensor x = leaf({2000, 40}, 6), alpha = leaf({40}, 7, 0, 1);
        Rng rng(8);
        const Tensor mean = Tensor::uniform({40}, -1, 1, rng), var = Tensor::uniform({40}, 0.5, 2, rng);
        return std::pair{dice(x, alpha, mean, var, 1e-8), std::vector{x, alpha}};
      },
      {kBit, kBit, kClose});
}

TEST(Threads, PReLUIsBitIdenticalExceptItsSlopeGradient) {
  expect_thread_counts_agree(
      [] {
        Tensor x = leaf({2000, 40}, 9), weight = leaf({40}, 10, 0, 0.5);
        return std::pair{prelu(x, weight), std::vector{x, weight}};
      },
      {kBit, kBit, kClose});
}

TEST(Threads, BatchedMatmulIsBitIdenticalToOneThread) {
  expect_thread_counts_agree(
      [] {
        Tensor query = leaf({256, 2, 1, 12}, 11), keys_t = leaf({256, 2, 12, 50}, 12);
        return std::pair{matmul(query, keys_t), std::vector{query, keys_t}};
      },
      {kBit, kBit, kBit});
}

TEST(Threads, AttentionHeadProductsAreBitIdenticalToOneThread) {
  expect_thread_counts_agree(
      [] {
        Tensor query = leaf({128, 1, 32}, 13), keys = leaf({128, 20, 32}, 14);
        return std::pair{head_scores(query, keys, 4, 0.25), std::vector{query, keys}};
      },
      {kBit, kBit, kBit});
  expect_thread_counts_agree(
      [] {
        Tensor weights = leaf({128, 4, 1, 20}, 15, 0, 1), values = leaf({128, 20, 32}, 16);
        return std::pair{head_mix(weights, values), std::vector{weights, values}};
      },
      {kBit, kBit, kBit});
}

TEST(Threads, ProjectionIsCloseToOneThread) {
  // One big gemm each way (dW reduces over all 12800 rows), cut by blas::gemm into one block of C
  // per thread. OpenBLAS 0.3.21 rounds a row of C differently depending on where it falls in the
  // matrix it is given, so a block's rows are not bit for bit the whole matrix's (tests/core/test_blas.cpp).
  expect_thread_counts_agree(
      [] {
        Tensor x = leaf({12800, 64}, 17), weight = leaf({64, 64}, 18);
        return std::pair{matmul(x, weight), std::vector{x, weight}};
      },
      {kClose, kClose, kClose});
}

TEST(Threads, DinPairLinearIsBitIdenticalToOneThread) {
  // D = H = 4 keep its gemms whole (cut by blas::gemm, they are only close: ProjectionIsCloseToOneThread)
  // while its loops over about 9000 pairs get 2 threads.
  auto with_pairs = [](std::vector<std::int64_t> query_rows, std::vector<std::int64_t> key_rows) -> OpRun {
    return [=] {
      Tensor query = leaf({9000, 4}, 30), keys = leaf({6000, 4}, 31), weight = leaf({4, 16}, 32), bias = leaf({4}, 33);
      return std::pair{din_pair_linear(query, keys, query_rows, key_rows, weight, bias),
                       std::vector{query, keys, weight, bias}};
    };
  };
  // Rows at random: unsorted, query rows repeated (some unused), key rows repeated.
  std::vector<std::int64_t> query_rows(9000), key_rows(9000);
  Rng rng(34);
  for (auto& r : query_rows) r = std::int64_t(rng.uniform(0, 9000));
  for (auto& s : key_rows) s = std::int64_t(rng.uniform(0, 6000));
  expect_thread_counts_agree(with_pairs(query_rows, key_rows), {kBit, kBit, kBit, kBit, kBit});
  // DIN's order with 1000 samples of 2 queries and 6 keys, some padded: query rows sorted, in runs
  // of unequal length; each key row twice, unsorted.
  query_rows.clear(), key_rows.clear();
  for (std::int64_t b = 0; b < 1000; ++b)
    for (std::int64_t i = 0; i < 2; ++i)
      for (std::int64_t t = 0; t < 6; ++t)
        if ((b + t) % 4 != 0) query_rows.push_back(b * 2 + i), key_rows.push_back(b * 6 + t);
  expect_thread_counts_agree(with_pairs(query_rows, key_rows), {kBit, kBit, kBit, kBit, kBit});
}
