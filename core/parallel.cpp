#include "core/parallel.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace recgrad {

namespace {
int g_threads = 1;

// Below this many elements per thread a loop stays serial: waking a second thread costs a few
// microseconds, about what 16K elements of a light kernel (a copy, an Adam update) take.
constexpr std::size_t kMinWorkPerThread = 16384;
}  // namespace

void set_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_threads: need at least 1 thread, got " + std::to_string(n));
  g_threads = n;
}

int threads() { return g_threads; }

int threads_for(std::size_t work) {
  const std::size_t affordable = work / kMinWorkPerThread;
  return affordable < 2 ? 1 : int(std::min<std::size_t>(affordable, std::size_t(g_threads)));
}

template <class T>
void copy_on_threads(const T* src, std::size_t n, T* dst) {
  const int team = threads_for(n);
#pragma omp parallel for schedule(static) num_threads(team)
  for (int t = 0; t < team; ++t) {
    const std::size_t first = n * std::size_t(t) / std::size_t(team), last = n * std::size_t(t + 1) / std::size_t(team);
    std::copy(src + first, src + last, dst + first);
  }
}

template void copy_on_threads<float>(const float*, std::size_t, float*);
template void copy_on_threads<double>(const double*, std::size_t, double*);

}  // namespace recgrad
