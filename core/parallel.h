#pragma once
// Threads: one count, one pool (libgomp's) for recgrad's loops over the batch and for its gemms.
//
// A parallel loop is the serial loop with a pragma on it:
//   #pragma omp parallel for schedule(static) num_threads(threads_for(rows * D))
//   for (std::size_t r = 0; r < rows; ++r) ...
// A static schedule gives each thread one fixed block of iterations, so the split depends only on the
// thread count. Loops whose iterations write disjoint outputs give the serial results bit for bit;
// sums over the batch go through PartialSums, which is deterministic for a given thread count and
// equal to the serial sum with one thread (docs/speed-code.md, "Threads").
#include <omp.h>

#include <cstddef>
#include <vector>

namespace recgrad {

// Threads for recgrad's loops and gemms (core/blas.h cuts a big gemm into one block per thread;
// OpenBLAS's own pool is held at one thread). 1 until set: on small shared machines a second thread
// pays only on big batches (docs/speed-code.md); the config's training.threads sets it.
void set_threads(int n);
int threads();

// The threads a loop over `work` elements gets: threads() when that is enough work to pay for waking
// them (measured: docs/speed-code.md, "Threads"), else 1, so small tensors stay serial.
int threads_for(std::size_t work);

// dst[0, n) = src[0, n), one block per thread (std::copy_n with threads_for(n) threads); T float or double.
template <class T>
void copy_on_threads(const T* src, std::size_t n, T* dst);

// Sums over the iterations of a parallel loop run with `team` threads: each thread adds into its own
// row of `width` sums (mine()), and total() adds the rows in thread order.
// Rows are a whole number of cache lines apart, so that threads do not write to one line.
template <class T>
class PartialSums {
 public:
  PartialSums(int team, std::size_t width)
      : team_(std::size_t(team)), width_(width), stride_((width * sizeof(T) + 63) / 64 * 64 / sizeof(T)),
        sums_(team_ * stride_, T(0)) {}
  T* mine() { return sums_.data() + std::size_t(omp_get_thread_num()) * stride_; }
  std::vector<T> total() const {
    std::vector<T> sum(sums_.begin(), sums_.begin() + std::ptrdiff_t(width_));
    for (std::size_t t = 1; t < team_; ++t)
      for (std::size_t j = 0; j < width_; ++j) sum[j] += sums_[t * stride_ + j];
    return sum;
  }

 private:
  std::size_t team_, width_, stride_;
  std::vector<T> sums_;
};

}  // namespace recgrad
