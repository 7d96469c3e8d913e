#pragma once
// The only door to BLAS. Kept in its own translation unit because <cblas.h> and xtensor-blas
// declare the same enums (docs/xtensor.md).
#include <cstddef>

namespace recgrad::blas {

// C = alpha * op(A) op(B) + beta * C, row-major; op(X) = X or Xᵀ. A is [m, k] after op, B [k, n], C [m, n].
// With threads() > 1, outside a parallel loop, and enough work, C is cut into one block of rows (or
// of columns, when C is wider than tall) per thread, each block one single-threaded sgemm: recgrad's
// threads run BLAS, and OpenBLAS's own pool stays at one thread (core/parallel.h).
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc);

// How gemm cuts C for `threads` threads: `team` blocks of `block` rows (by_rows) or columns, the last
// one shorter; team 1 is one call. Blocks are whole multiples of 16 and of at least 2^18 multiply-adds.
struct GemmBlocks {
  int team;
  std::size_t block;
  bool by_rows;
};
GemmBlocks gemm_blocks(std::size_t m, std::size_t n, std::size_t k, int threads);

}  // namespace recgrad::blas
