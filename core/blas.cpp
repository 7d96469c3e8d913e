#include "core/blas.h"

#include <cblas.h>

#include <algorithm>

#include "core/parallel.h"

namespace recgrad::blas {

namespace {

// The whole C in one call, on the calling thread: the reference that the blocks below add up to.
void one_call(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
              std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, int(m), int(n),
              int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

void one_call(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, double alpha, const double* a,
              std::size_t lda, const double* b, std::size_t ldb, double beta, double* c, std::size_t ldc) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, int(m), int(n),
              int(k), alpha, a, int(lda), b, int(ldb), beta, c, int(ldc));
}

// Block edges fall on multiples of 16 rows or columns, a whole number of OpenBLAS's register tiles
// on AVX-512 and AVX2: a cut adds no partly filled tiles, whose edge kernels are slower.
constexpr std::size_t kTile = 16;

// A block smaller than this many multiply-adds (about 5 us at these machines' sgemm rate) does not
// pay for waking a thread.
constexpr std::size_t kMinMultiplyAddsPerThread = std::size_t(1) << 18;

// OpenBLAS starts with one thread per core and its own pool; recgrad's pool (libgomp's) is the only
// one that runs. Two pools on few cores spin against each other: a thread of one waits on a core
// that a thread of the other needs (measured 3x slower with 2 threads on 2 cores,
// docs/speed-code.md, "Threads").
void hold_openblas_at_one_thread() {
  static const bool once = (openblas_set_num_threads(1), true);
  (void)once;
}

}  // namespace

GemmBlocks gemm_blocks(std::size_t m, std::size_t n, std::size_t k, int threads) {
  const bool by_rows = m >= n;
  const std::size_t side = by_rows ? m : n;  // the side of C that is cut
  const std::size_t affordable = std::min(m * n * k / kMinMultiplyAddsPerThread, side / kTile);
  const int team = int(std::min<std::size_t>(affordable, std::size_t(std::max(threads, 1))));
  if (team <= 1) return {1, side, by_rows};
  return {team, (side + std::size_t(team) * kTile - 1) / (std::size_t(team) * kTile) * kTile, by_rows};
}

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
  hold_openblas_at_one_thread();
  const GemmBlocks cut = gemm_blocks(m, n, k, omp_in_parallel() ? 1 : threads());
  if (cut.team == 1) {
    one_call(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const std::size_t side = cut.by_rows ? m : n;
#pragma omp parallel for schedule(static) num_threads(cut.team)
  for (int t = 0; t < cut.team; ++t) {
    const std::size_t first = std::size_t(t) * cut.block;
    if (first >= side) continue;
    const std::size_t count = std::min(cut.block, side - first);
    if (cut.by_rows)  // rows [first, first + count) of C: the same rows of op(A)
      one_call(trans_a, trans_b, count, n, k, alpha, trans_a ? a + first : a + first * lda, lda, b, ldb, beta,
               c + first * ldc, ldc);
    else  // columns [first, first + count) of C: the same columns of op(B)
      one_call(trans_a, trans_b, m, count, k, alpha, a, lda, trans_b ? b + first * ldb : b + first, ldb, beta,
               c + first, ldc);
  }
}

template void gemm<float>(bool, bool, std::size_t, std::size_t, std::size_t, float, const float*, std::size_t,
                          const float*, std::size_t, float, float*, std::size_t);
template void gemm<double>(bool, bool, std::size_t, std::size_t, std::size_t, double, const double*, std::size_t,
                           const double*, std::size_t, double, double*, std::size_t);

}  // namespace recgrad::blas
