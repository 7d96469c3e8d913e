// Dense vs lazy Adam on a large embedding table: 1e6 rows x 32 float32 (128 MB, plus 256 MB of
// moments), a batch touching 256 .. 12800 distinct rows. Dense Adam updates all 32e6 entries every
// step whatever the batch; lazy Adam only the touched rows. Times optimizer.step() alone: the
// gradient is made once through gather_rows' backward, as an embedding lookup leaves it.
#include <algorithm>
#include <numeric>

#include <benchmark/benchmark.h>

#include "core/ops.h"
#include "core/random.h"
#include "optim/adam.h"

namespace recgrad {
namespace {

constexpr std::size_t kVocabulary = 1000000, kWidth = 32;

void adam_step(benchmark::State& state, bool lazy) {
  const auto touched = static_cast<std::size_t>(state.range(0));
  Rng rng(1);
  Tensor table = Tensor::uniform({kVocabulary, kWidth}, -0.05, 0.05, rng).requires_grad_();
  std::vector<std::int64_t> rows(kVocabulary);
  std::iota(rows.begin(), rows.end(), 0);
  for (std::size_t i = 0; i < touched; ++i) std::swap(rows[i], rows[i + rng.below(kVocabulary - i)]);
  rows.resize(touched);
  sum(mul(gather_rows(table, rows, {touched}), Tensor::randn({touched, kWidth}, rng))).backward();

  AdamOptions options;
  options.lazy = lazy;
  Adam adam({{"items", table}}, options);
  adam.step();  // the first step allocates the moments; time the steady state
  for (auto _ : state) {
    adam.step();
    benchmark::ClobberMemory();
  }
  state.counters["touched_rows"] = static_cast<double>(touched);
}

void BM_DenseAdam(benchmark::State& state) { adam_step(state, false); }
void BM_LazyAdam(benchmark::State& state) { adam_step(state, true); }

BENCHMARK(BM_DenseAdam)->Arg(256)->Arg(1280)->Arg(12800)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LazyAdam)->Arg(256)->Arg(1280)->Arg(12800)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace recgrad
