#pragma once
// The only door to BLAS. Kept in its own translation unit because <cblas.h> and xtensor-blas
// declare the same enums (docs/xtensor.md).
#include <cstddef>

namespace recgrad::blas {

// C = alpha * op(A) op(B) + beta * C, row-major; op(X) = X or Xᵀ. A is [m, k] after op, B [k, n], C [m, n].
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc);

// Threads OpenBLAS may use. Called through recgrad::set_threads (core/parallel.h), which sets
// recgrad's own loops to the same count.
void set_threads(int n);

}  // namespace recgrad::blas
