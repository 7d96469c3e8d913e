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

}  // namespace recgrad
