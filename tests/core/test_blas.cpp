// blas::gemm with threads: C cut into blocks of rows or columns, one single-threaded sgemm each,
// gives one call's C to float32 rounding in every transpose layout, with beta 0 and 1, on
// sub-matrices (leading dimensions wider than the operands) and sides that are not a multiple of the
// block; two runs with two threads agree bit for bit. Not bit for bit with one call: OpenBLAS 0.3.21
// rounds a row differently depending on where it falls in the matrix it is given.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/blas.h"
#include "core/parallel.h"
#include "core/random.h"

extern "C" int openblas_get_num_threads(void);

using namespace recgrad;

namespace {

struct Case {
  bool trans_a, trans_b;
  std::size_t m, n, k;
  float beta;
};

// C after gemm with `threads` threads, on operands and a C with 3 spare columns each (ld = width + 3).
std::vector<float> gemm_with(int threads, const Case& g) {
  const std::size_t a_rows = g.trans_a ? g.k : g.m, a_cols = g.trans_a ? g.m : g.k;
  const std::size_t b_rows = g.trans_b ? g.n : g.k, b_cols = g.trans_b ? g.k : g.n;
  const std::size_t lda = a_cols + 3, ldb = b_cols + 3, ldc = g.n + 3;
  Rng rng(7);
  std::vector<float> a(a_rows * lda), b(b_rows * ldb), c(g.m * ldc);
  for (std::vector<float>* x : {&a, &b, &c})
    for (float& v : *x) v = float(rng.uniform(-1, 1));
  set_threads(threads);
  blas::gemm<float>(g.trans_a, g.trans_b, g.m, g.n, g.k, 0.5f, a.data(), lda, b.data(), ldb, g.beta, c.data(), ldc);
  set_threads(1);
  return c;
}

}  // namespace

TEST(Blas, BlocksAreWholeTilesOfEnoughWorkAndCutTheLongerSide) {
  const blas::GemmBlocks rows = blas::gemm_blocks(12800, 80, 48, 2);
  EXPECT_EQ(rows.team, 2);
  EXPECT_TRUE(rows.by_rows);
  EXPECT_EQ(rows.block, 6400u);
  const blas::GemmBlocks columns = blas::gemm_blocks(40, 300, 12800, 2);  // a weight gradient [out, in]
  EXPECT_EQ(columns.team, 2);
  EXPECT_FALSE(columns.by_rows);
  EXPECT_EQ(columns.block, 160u);  // 150 rounded up to whole 16s: 160 + 140
  EXPECT_EQ(blas::gemm_blocks(12800, 80, 48, 1).team, 1);
  EXPECT_EQ(blas::gemm_blocks(256, 80, 8, 2).team, 1);       // 164K multiply-adds: one call
  EXPECT_EQ(blas::gemm_blocks(1, 20, 1 << 20, 2).team, 1);   // 20 columns: not two whole tiles
  EXPECT_EQ(blas::gemm_blocks(33, 8, 1 << 20, 4).team, 2);   // as many blocks as whole tiles
  EXPECT_EQ(blas::gemm_blocks(33, 8, 1 << 20, 4).block, 32u);
}

TEST(Blas, TwoThreadsGiveOneCallsResultToRoundingAndTheSameResultTwice) {
  const std::vector<Case> cases = {
      {false, false, 1000, 64, 100, 0}, {false, true, 1000, 64, 100, 1}, {true, false, 1000, 64, 100, 0},
      {true, true, 1000, 64, 100, 1},   {false, false, 40, 300, 700, 1}, {true, false, 40, 300, 700, 0},
      {false, true, 37, 290, 900, 0},   {true, true, 37, 290, 900, 1}};
  for (const Case& g : cases) {
    SCOPED_TRACE(::testing::Message() << "trans " << g.trans_a << g.trans_b << ", [" << g.m << ", " << g.n << ", "
                                      << g.k << "], beta " << g.beta);
    ASSERT_EQ(blas::gemm_blocks(g.m, g.n, g.k, 2).team, 2) << "the case must be cut";
    const std::vector<float> one = gemm_with(1, g), two = gemm_with(2, g), two_again = gemm_with(2, g);
    float largest = 0, worst = 0;
    for (std::size_t i = 0; i < one.size(); ++i) {
      largest = std::max(largest, std::abs(one[i]));
      worst = std::max(worst, std::abs(two[i] - one[i]));
    }
    EXPECT_LE(worst, 1e-6f * largest);  // a missing or misplaced block is off by the size of C
    EXPECT_EQ(std::memcmp(two.data(), two_again.data(), two.size() * sizeof(float)), 0);
  }
}

TEST(Blas, OpenBlasKeepsOneThreadWhateverRecgradsCount) {
  gemm_with(2, {false, false, 1000, 64, 100, 0});
  EXPECT_EQ(openblas_get_num_threads(), 1);
}
