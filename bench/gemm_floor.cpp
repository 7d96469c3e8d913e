// The GEMM floor of a DIN training step: the matrix products alone of one step of a models.json
// model, as bare sgemm calls (core/blas.h, the BLAS recgrad uses) on buffers allocated once, on the
// batches train_throughput trains on (bench/synthetic_batches.h). A step of recgrad makes these gemms
// and more, so recgrad's samples/s over the floor's is the share of its step that the gemms take;
// bench/compare_pytorch.py prints it.
//
//   gemm_floor <models.json> <model> [--repeats N] [--threads N] [--list]
// --repeats: timed passes over the cycle of batches (20); --threads: BLAS threads (1); --list: print
// the gemms (of the first batch) and the pairs of each batch, untimed.
//
// One step's gemms, [M, N, K] with C [M, N] = op(A) [M, K] op(B) [K, N]. B: batch, T: history
// length, D: item size, P: the batch's real (unpadded) pairs of candidate and history item, H: the
// unit's first hidden size, E: embedding_dim (the user's, when the tower sees one).
//   DIN unit, first layer factored (core/ops/din_pair_linear.cpp), W [H, 4D] as W_query [H, D] and
//   W_pair [H, 2D]:   Q = q W_queryᵀ [B, H, D]          y += [k, q * k] W_pairᵀ [P, H, 2D]
//                     dpair = dy W_pair [P, 2D, H]      dq = dQ W_query [B, D, H]
//                     dW_query = dQᵀ q [H, D, B]        dW_pair = dyᵀ [k, q * k] [H, 2D, P]
//   each later unit layer in -> out (core/ops/linear.cpp), rows P:
//                     y = x Wᵀ [P, out, in]   dx = dy W [P, in, out]   dW = dyᵀ x [out, in, P]
//   weighted sum of the history (core/ops/matmul.cpp), B gemms each (one per sample):
//                     out = w v [1, D, T]     dw = dout vᵀ [1, T, D]   dv = wᵀ dout [T, D, 1]
//   tower layers in -> out, rows B, the same three as the unit's; the first in = 3D (+ E):
//                     [user,] target, pooled, target * pooled (models/click_model.cpp)
// Where this differs from the list, the cheaper form is recgrad's and the floor takes it: the
// unit sees the P real pairs, not all B·T positions, and k and q * k share one [P, 2D] gemm instead
// of two [P, D] ones. tests/train/test_gemm_floor.cpp checks the list against the gemms recgrad calls.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/bench_model.h"
#include "core/blas.h"
#include "core/parallel.h"
#include "train/config.h"

namespace {

using namespace recgrad;

constexpr std::uint64_t kDistinctBatches = 8;  // train_throughput's cycle of batches

struct Gemm {
  bool trans_a, trans_b;
  std::size_t m, n, k;
  std::size_t count;  // gemms of this shape in a row: one per sample for the weighted sum, else 1
  double flop() const { return 2.0 * double(m * n * k * count); }
};

// A layer y = x Wᵀ + b, x [rows, in], W [out, in]: forward, dx, dW (core/ops/linear.cpp).
void add_linear(std::vector<Gemm>& gemms, std::size_t rows, std::size_t in, std::size_t out) {
  gemms.push_back({false, true, rows, out, in, 1});
  gemms.push_back({false, false, rows, in, out, 1});
  gemms.push_back({true, false, out, in, rows, 1});
}

// The gemms of one training step on a batch of B samples with P real pairs, in the order above.
std::vector<Gemm> din_step_gemms(const ClickModelOptions& model, std::size_t side_fields, std::size_t B,
                                 std::size_t T, std::size_t P) {
  const std::size_t E = model.embedding_dim;
  const std::size_t D = model.combine == FieldCombine::Concat ? E * (1 + side_fields) : E;
  std::vector<std::size_t> unit{model.attention.din_hidden};
  unit.push_back(1);
  const std::size_t H = unit.front();
  std::vector<Gemm> gemms{{false, true, B, H, D, 1},      {false, true, P, H, 2 * D, 1},
                          {false, false, P, 2 * D, H, 1}, {false, false, B, D, H, 1},
                          {true, false, H, D, B, 1},      {true, false, H, 2 * D, P, 1}};
  for (std::size_t i = 0; i + 1 < unit.size(); ++i) add_linear(gemms, P, unit[i], unit[i + 1]);
  gemms.insert(gemms.end(), {{false, false, 1, D, T, B}, {false, true, 1, T, D, B}, {true, false, T, D, 1, B}});
  std::vector<std::size_t> tower{3 * D + (model.user_embedding ? E : 0)};
  tower.insert(tower.end(), model.tower.hidden.begin(), model.tower.hidden.end());
  tower.push_back(1);
  for (std::size_t i = 0; i + 1 < tower.size(); ++i) add_linear(gemms, B, tower[i], tower[i + 1]);
  return gemms;
}

// Each gemm's operands, one set per gemm as in a real step, sized for the batch with the most pairs.
struct Buffers {
  std::vector<std::vector<float>> a, b, c;
  explicit Buffers(const std::vector<std::vector<Gemm>>& steps) {
    for (std::size_t g = 0; g < steps.front().size(); ++g) {
      std::size_t a_size = 0, b_size = 0, c_size = 0;
      for (const auto& step : steps) {
        const Gemm& x = step[g];
        a_size = std::max(a_size, x.count * x.m * x.k);
        b_size = std::max(b_size, x.count * x.k * x.n);
        c_size = std::max(c_size, x.count * x.m * x.n);
      }
      a.emplace_back(a_size, 0.01f);
      b.emplace_back(b_size, 0.01f);
      c.emplace_back(c_size, 0.0f);
    }
  }
};

void run_step(const std::vector<Gemm>& gemms, Buffers& buffers) {
  for (std::size_t g = 0; g < gemms.size(); ++g) {
    const Gemm& x = gemms[g];
    const std::size_t lda = x.trans_a ? x.m : x.k, ldb = x.trans_b ? x.k : x.n;
    for (std::size_t i = 0; i < x.count; ++i)
      blas::gemm<float>(x.trans_a, x.trans_b, x.m, x.n, x.k, 1, buffers.a[g].data() + i * x.m * x.k, lda,
                        buffers.b[g].data() + i * x.k * x.n, ldb, 0, buffers.c[g].data() + i * x.m * x.n, x.n);
  }
}

int run(int argc, char** argv) {
  if (argc < 3)
    throw std::invalid_argument("usage: gemm_floor <models.json> <model> [--repeats N] [--threads N] [--list]");
  std::size_t repeats = 20;
  int threads = 1;
  bool list = false;
  for (int i = 3; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--list") {
      list = true;
      continue;
    }
    if (i + 1 == argc) throw std::invalid_argument("gemm_floor: " + flag + " needs a value");
    const std::size_t value = std::stoul(argv[++i]);
    if (flag == "--repeats") repeats = std::max<std::size_t>(value, 1);
    else if (flag == "--threads") threads = int(value);
    else throw std::invalid_argument("gemm_floor: unknown flag " + flag);
  }
  const bench::BenchModel spec = bench::bench_model(argv[1], argv[2]);
  const ClickModelOptions& model = spec.config.model;
  if (model.attention.kind != AttentionKind::Din || model.self_attention.enabled) {
    std::fprintf(stderr, "gemm_floor: %s: only din attention without self_attention is supported, got %s\n", argv[2],
                 attention_kind_name(model.attention.kind).c_str());
    return 2;
  }
  const std::size_t B = spec.B, T = spec.T;
  set_threads(threads);

  std::vector<std::vector<Gemm>> steps;  // one per batch of the cycle: only P differs
  std::vector<std::size_t> pairs;
  double flop = 0;
  for (std::uint64_t k = 0; k < kDistinctBatches; ++k) {
    const Batch batch = spec.batch(k);
    pairs.push_back(0);
    for (std::size_t length : batch.lengths) pairs.back() += length;
    steps.push_back(din_step_gemms(model, spec.side.size(), B, T, pairs.back()));
    for (const Gemm& x : steps.back()) flop += x.flop() / double(kDistinctBatches);
  }
  nlohmann::json shapes = nlohmann::json::array();  // the first batch's
  for (const Gemm& x : steps.front()) shapes.push_back({x.m, x.n, x.k, x.count});
  nlohmann::json result{
      {"framework", "gemm_floor"}, {"model", argv[2]}, {"pairs", pairs}, {"gflop_per_step", flop / 1e9}};
  if (!list) {
    Buffers buffers(steps);
    for (const auto& step : steps) run_step(step, buffers);  // warm-up: caches, BLAS buffers
    // Each step timed alone, so that its median leaves out the steps another process interrupted; a
    // step's time is the mean over the cycle of each batch's median.
    std::vector<std::vector<double>> seconds(steps.size());  // [batch][repeat]
    for (std::size_t r = 0; r < repeats; ++r)
      for (std::size_t k = 0; k < steps.size(); ++k) {
        const auto start = std::chrono::steady_clock::now();
        run_step(steps[k], buffers);
        seconds[k].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      }
    double step_s = 0;
    for (auto& batch : seconds) {
      std::nth_element(batch.begin(), batch.begin() + std::ptrdiff_t(repeats / 2), batch.end());
      step_s += batch[repeats / 2] / double(steps.size());
    }
    result.update({{"threads", threads},
                   {"repeats", repeats},
                   {"ms_per_step", 1e3 * step_s},
                   {"samples_per_s", double(B) / step_s},
                   {"gflop_per_s", flop / 1e9 / step_s}});
  }
  result["gemms"] = shapes;
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gemm_floor: %s\n", e.what());
    return 1;
  }
}
