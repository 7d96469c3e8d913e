// Micro-benchmarks of the pieces a training step is made of, forward and forward + backward, at the
// shapes of the models (B = 256, T = 50, D = 64, h = 4), float32, one thread (RECGRAD_THREADS=2: two):
//   matmul [B*T, D] x [D, D] against bare sgemm calls on the same buffers (the engine's overhead),
//   batched attention matmul [B, h, 1, d] x [B, h, d, T], masked softmax, embedding gather and its
//   scatter-add backward, the DIN unit, multi-head attention (and, at mh128's D = 128, folded against
//   projected keys and values), and one training step of the default model. Each layer with a fused
//   kernel runs both forms (arg fused: 1 the default, 0 the reference of Module::set_fused_kernels),
//   so each kernel's gain can be read off. Run:  cmake --build build --target bench_ops && OPENBLAS_NUM_THREADS=1 build/bin/bench_ops
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "bench/synthetic_batches.h"
#include "core/blas.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "layers/activations.h"
#include "layers/din_attention.h"
#include "layers/linear.h"
#include "layers/multi_head_attention.h"
#include "models/click_model.h"
#include "optim/adam.h"
#include "train/train_step.h"

namespace recgrad {
namespace {

// RECGRAD_THREADS=2 runs every benchmark with 2 threads (core/parallel.h: recgrad's loops and OpenBLAS);
// one by default.
const bool kThreadsSet = [] {
  const char* env = std::getenv("RECGRAD_THREADS");
  set_threads(env != nullptr ? std::atoi(env) : 1);
  benchmark::AddCustomContext("recgrad threads", std::to_string(threads()));
  return true;
}();

constexpr std::size_t B = 256, T = 50, D = 64, kHeads = 4;

void count_flops(benchmark::State& state, double flops_per_iteration) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops_per_iteration * double(state.iterations()) / 1e9,
                                                 benchmark::Counter::kIsRate);
}

// Y = X W: [B*T, D] x [D, D]. Forward: one gemm; backward: dX = dY Wᵀ and dW = Xᵀ dY.
void BM_Matmul(benchmark::State& state) {
  const bool backward = state.range(0);
  Rng rng(1);
  Tensor x = Tensor::randn({B * T, D}, rng).requires_grad_(backward);
  Tensor w = Tensor::randn({D, D}, rng).requires_grad_(backward);
  const Tensor dy = Tensor::randn({B * T, D}, rng);
  for (auto _ : state) {
    Tensor y = matmul(x, w);
    if (backward) y.backward(dy);
    benchmark::DoNotOptimize(y.data<float>());
  }
  count_flops(state, (backward ? 3 : 1) * 2.0 * B * T * D * D);
}
BENCHMARK(BM_Matmul)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The same products as BM_Matmul by bare sgemm calls into preallocated buffers: the ceiling.
void BM_BareSgemm(benchmark::State& state) {
  const bool backward = state.range(0);
  Rng rng(1);
  const Tensor x = Tensor::randn({B * T, D}, rng), w = Tensor::randn({D, D}, rng), dy = Tensor::randn({B * T, D}, rng);
  std::vector<float> y(B * T * D), dx(B * T * D), dw(D * D);
  for (auto _ : state) {
    blas::gemm<float>(false, false, B * T, D, D, 1, x.data<float>(), D, w.data<float>(), D, 0, y.data(), D);
    if (backward) {
      blas::gemm<float>(false, true, B * T, D, D, 1, dy.data<float>(), D, w.data<float>(), D, 0, dx.data(), D);
      blas::gemm<float>(true, false, D, D, B * T, 1, x.data<float>(), D, dy.data<float>(), D, 0, dw.data(), D);
    }
    benchmark::DoNotOptimize(y.data());
  }
  count_flops(state, (backward ? 3 : 1) * 2.0 * B * T * D * D);
}
BENCHMARK(BM_BareSgemm)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Attention scores: q [B, h, 1, d] x kᵀ [B, h, d, T] -> [B, h, 1, T], one small gemm per (b, h).
void BM_AttentionMatmul(benchmark::State& state) {
  const bool backward = state.range(0);
  const std::size_t d = D / kHeads;
  Rng rng(2);
  Tensor q = Tensor::randn({B, kHeads, 1, d}, rng).requires_grad_(backward);
  Tensor kt = Tensor::randn({B, kHeads, d, T}, rng).requires_grad_(backward);
  const Tensor dy = Tensor::randn({B, kHeads, 1, T}, rng);
  for (auto _ : state) {
    Tensor y = matmul(q, kt);
    if (backward) y.backward(dy);
    benchmark::DoNotOptimize(y.data<float>());
  }
  count_flops(state, (backward ? 3 : 1) * 2.0 * B * kHeads * d * T);
}
BENCHMARK(BM_AttentionMatmul)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Softmax over T with a key padding mask: scores [B, h, 1, T], mask [B, 1, 1, T] (half padded).
void BM_MaskedSoftmax(benchmark::State& state) {
  const bool backward = state.range(0);
  Rng rng(3);
  Tensor scores = Tensor::randn({B, kHeads, 1, T}, rng).requires_grad_(backward);
  std::vector<std::size_t> lengths(B);
  for (std::size_t b = 0; b < B; ++b) lengths[b] = 1 + rng.below(T);
  const Tensor mask = reshape(padding_mask(lengths, T), {B, 1, 1, T});
  const Tensor dy = Tensor::randn({B, kHeads, 1, T}, rng);
  for (auto _ : state) {
    Tensor y = softmax(scores, -1, mask);
    if (backward) y.backward(dy);
    benchmark::DoNotOptimize(y.data<float>());
  }
}
BENCHMARK(BM_MaskedSoftmax)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Embedding lookup of a [B, T] history from a 1e5 x D table; backward scatter-adds into the rows used.
void BM_EmbeddingGather(benchmark::State& state) {
  const bool backward = state.range(0);
  const std::size_t vocabulary = 100000;
  Rng rng(4);
  Tensor table = Tensor::randn({vocabulary, D}, rng).requires_grad_(backward);
  std::vector<std::int64_t> ids(B * T);
  for (auto& id : ids) id = std::int64_t(rng.below(vocabulary));
  const Tensor dy = Tensor::randn({B, T, D}, rng);
  for (auto _ : state) {
    Tensor y = gather_rows(table, ids, {B, T}, 0);
    if (backward) {
      table.zero_grad();
      y.backward(dy);
    }
    benchmark::DoNotOptimize(y.data<float>());
  }
}
BENCHMARK(BM_EmbeddingGather)->ArgName("backward")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The table's gradient after one lookup's backward, then zero_grad as an optimizer step does. row_sparse:1
// the default (core/row_grad.h: only the rows used); 0 the reference, a dense [1e5, D] gradient (made
// dense once by a dense contribution, which it then stays).
void BM_EmbeddingGrad(benchmark::State& state) {
  const bool row_sparse = state.range(0);
  const std::size_t vocabulary = 100000;
  Rng rng(4);
  Tensor table = Tensor::randn({vocabulary, D}, rng).requires_grad_();
  if (!row_sparse) mul(table, Tensor::zeros({1}, table.dtype())).backward(Tensor::zeros({vocabulary, D}));
  std::vector<std::int64_t> ids(B * T);
  for (auto& id : ids) id = std::int64_t(rng.below(vocabulary));
  const Tensor dy = Tensor::randn({B, T, D}, rng);
  for (auto _ : state) {
    gather_rows(table, ids, {B, T}, 0).backward(dy);
    table.zero_grad();
    benchmark::DoNotOptimize(table.grad_data<float>());
  }
}
BENCHMARK(BM_EmbeddingGrad)->ArgName("row_sparse")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Pools a [B, T, D] history for a [B, 1, D] query with `layer`, masks half the keys on average.
template <class Layer>
void pool(benchmark::State& state, Layer& layer, std::size_t dim) {
  const bool backward = state.range(0);
  Rng rng(5);
  Tensor query = Tensor::randn({B, 1, dim}, rng).requires_grad_(backward);
  Tensor history = Tensor::randn({B, T, dim}, rng).requires_grad_(backward);
  std::vector<std::size_t> lengths(B);
  for (std::size_t b = 0; b < B; ++b) lengths[b] = 1 + rng.below(T);
  const Tensor mask = padding_mask(lengths, T);
  const Tensor dy = Tensor::randn({B, 1, dim}, rng);
  for (auto _ : state) {
    Tensor y = layer.forward(query, history, history, mask).output;
    if (backward) y.backward(dy);
    benchmark::DoNotOptimize(y.data<float>());
  }
}

// DIN unit on D = 32 (id + category of 16 each), MLP 128 -> 80 -> 40 -> 1 with Dice; fused: its first
// layer factored, Dice and Linear fused; reference: the [q, k, q - k, q * k] features through the MLP.
void BM_DinUnit(benchmark::State& state) {
  Rng rng(6);
  AttentionOptions options;
  options.din_activation = "dice";
  options.softmax = false;
  DinAttention din(32, rng, DType::Float32, options);
  din.set_fused_kernels(state.range(1));
  pool(state, din, 32);
}
BENCHMARK(BM_DinUnit)->ArgNames({"backward", "fused"})->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMicrosecond);

// fused: head_scores / head_mix and the fused Linear; reference: split heads, matmul, merge heads.
void BM_MultiHeadAttention(benchmark::State& state) {
  Rng rng(7);
  MultiHeadAttention attention(D, kHeads, rng);
  attention.set_fused_kernels(state.range(1));
  pool(state, attention, D);
}
BENCHMARK(BM_MultiHeadAttention)
    ->ArgNames({"backward", "fused"})
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

// mha's projected form: k_proj and v_proj over the whole history, then the fused head ops, as the
// layer runs them when folding does not pay (Tq = T).
struct ProjectedHeads {
  MultiHeadAttention& mha;
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values, const Tensor& mask) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(mha.head_dim()));
    const Tensor q = mha.q_proj->forward(query), k = mha.k_proj->forward(keys), v = mha.v_proj->forward(values);
    const Tensor weights = attention_weights(head_scores(q, k, mha.num_heads(), scale), mask, /*softmax=*/true);
    return {mha.out_proj->forward(head_mix(weights, v)), weights};
  }
};

// bench/models.json's mh128 attention (D = 128, h = 4, Tq = 1). folded: the layer's default at Tq = 1,
// Wk and Wv moved to the query side; projected: ProjectedHeads, B T D² per projection.
void BM_FoldedHeads(benchmark::State& state) {
  constexpr std::size_t dim = 128, heads = 4;
  Rng rng(10);
  MultiHeadAttention attention(dim, heads, rng);
  ProjectedHeads projected{attention};
  if (state.range(1)) pool(state, attention, dim);
  else pool(state, projected, dim);
}
BENCHMARK(BM_FoldedHeads)->ArgNames({"backward", "folded"})->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMicrosecond);

// x [rows, features] through `layer` (same width out) in training mode, forward or forward + backward.
template <class Layer>
void run_layer(benchmark::State& state, Layer& layer, std::size_t rows, std::size_t features) {
  const bool backward = state.range(0);
  layer.set_fused_kernels(state.range(1));
  Rng rng(8);
  Tensor x = Tensor::randn({rows, features}, rng).requires_grad_(backward);
  const Tensor dy = Tensor::randn({rows, features}, rng);
  for (auto _ : state) {
    Tensor y = layer.forward(x);
    if (backward) y.backward(dy);
    benchmark::DoNotOptimize(y.data<float>());
  }
}

// Linear D -> D on the [B*T, D] history: the fused op against matmul(x, Wᵀ) + b.
void BM_Linear(benchmark::State& state) {
  Rng rng(9);
  Linear linear(D, D, rng);
  run_layer(state, linear, B * T, D);
}
BENCHMARK(BM_Linear)->ArgNames({"backward", "fused"})->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMicrosecond);

// PReLU and Dice on the DIN unit's first hidden layer, [B*T, 80].
void BM_PReLU(benchmark::State& state) {
  PReLU prelu(80);
  run_layer(state, prelu, B * T, 80);
}
BENCHMARK(BM_PReLU)->ArgNames({"backward", "fused"})->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMicrosecond);

void BM_Dice(benchmark::State& state) {
  Dice dice(80);
  run_layer(state, dice, B * T, 80);
}
BENCHMARK(BM_Dice)->ArgNames({"backward", "fused"})->ArgsProduct({{0, 1}, {0, 1}})->Unit(benchmark::kMicrosecond);

// One training step (train_step: forward, loss, backward, lazy Adam) of configs/default.json's model on a synthetic batch.
void BM_TrainStepDefaultModel(benchmark::State& state) {
  ClickModelOptions config;
  config.embedding_dim = 8;
  config.user_embedding = false;  // the synthetic batches have no user column, as configs/default.json
  config.attention.kind = AttentionKind::MultiHead;
  config.attention.heads = 4;
  config.tower.hidden = {200, 80};
  config.tower.activation = "prelu";
  FeatureSizes sizes;
  sizes.items = 1002;
  sizes.side = {22, 102};
  sizes.side_names = {"item_cate", "item_brand"};
  sizes.max_len = 30;
  ClickModel model(config, sizes, 42);
  AdamOptions adam_options;
  adam_options.lr = 0.002;
  adam_options.lazy = true;
  Adam adam(model.named_parameters(), adam_options);
  const Batch batch = bench::synthetic_batch(0, B, sizes.max_len, sizes.items, sizes.side);
  for (auto _ : state) train_step(model, adam, batch, {});  // the trainer's step (train/train_step.h)
  state.counters["samples/s"] = benchmark::Counter(double(B * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TrainStepDefaultModel)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace recgrad
