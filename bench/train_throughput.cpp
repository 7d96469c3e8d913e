// End-to-end training throughput of one model of bench/models.json: samples per second over timed
// training steps (train_step: forward, backward, Adam with lazy embedding rows, as `recgrad train`
// takes them) and the process's peak resident memory. Prints one JSON line; bench/compare_pytorch.py
// runs it next to the PyTorch twin (bench/torch_click_model.py).
//
//   train_throughput <models.json> <model> [--steps N] [--warmup N] [--threads N]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/bench_model.h"
#include "core/parallel.h"
#include "models/click_model.h"
#include "train/config.h"
#include "train/from_config.h"
#include "train/train_step.h"

namespace {

using namespace recgrad;

constexpr std::uint64_t kDistinctBatches = 8;  // cycled, so making batches is not timed

// The peak resident memory of this program (VmHWM). Not getrusage's ru_maxrss: that one keeps the
// peak of the process before exec, e.g. of a Python parent that has imported torch.
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // reported in kB
  return 0;
}

int run(int argc, char** argv) {
  if (argc < 3) throw std::invalid_argument("usage: train_throughput <models.json> <model> [--steps N] [--warmup N] [--threads N]");
  std::size_t steps = 50, warmup = 5;
  int threads = 1;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::size_t value = std::stoul(argv[i + 1]);
    if (flag == "--steps") steps = value;
    else if (flag == "--warmup") warmup = value;
    else if (flag == "--threads") threads = int(value);
    else throw std::invalid_argument("train_throughput: unknown flag " + flag);
  }
  const bench::BenchModel spec = bench::bench_model(argv[1], argv[2]);
  const RunConfig& config = spec.config;
  const std::size_t B = spec.B;
  set_threads(threads);

  ClickModel model(config.model, spec.sizes(), 42);
  const NamedTensors params = model.named_parameters();
  std::unique_ptr<Optimizer> optimizer = make_optimizer(config.optim, params);
  std::vector<Batch> batches;
  for (std::uint64_t k = 0; k < kDistinctBatches; ++k) batches.push_back(spec.batch(k));

  double loss_value = 0;
  auto step = [&](std::size_t i) {
    const StepOptions options{config.optim.clip_norm, std::int64_t(i + 1), ""};  // no checkpoint to name
    loss_value = train_step(model, *optimizer, batches[i % kDistinctBatches], options);
  };
  for (std::size_t i = 0; i < warmup; ++i) step(i);
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < steps; ++i) step(warmup + i);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const nlohmann::json result{{"framework", "recgrad"},   {"model", argv[2]},
                              {"threads", threads},       {"steps", steps},
                              {"samples_per_s", double(steps * B) / seconds},
                              {"ms_per_step", 1e3 * seconds / double(steps)},
                              {"peak_rss_mb", peak_rss_mb()}, {"last_loss", loss_value}};
  std::printf("%s\n", result.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_throughput: %s\n", e.what());
    return 1;
  }
}
