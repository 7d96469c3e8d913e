// bench/gemm_floor's list of a DIN step's gemms against the gemms recgrad really calls in one
// training step of the same models.json model, on the same first synthetic batch: the same shapes,
// each as many times. A change to the model, to its layers' gemms or to the floor's list fails here.
//
// The step's calls are counted by a cblas_sgemm of this program's own: the linker takes it over
// OpenBLAS's for core/blas.cpp's call, and it hands each call on to OpenBLAS's (dlsym RTLD_NEXT).
#include <cblas.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "bench/bench_model.h"
#include "core/parallel.h"
#include "train/config.h"
#include "train/from_config.h"
#include "train/train_step.h"

using namespace recgrad;

namespace {
using Shapes = std::map<std::array<std::size_t, 3>, std::size_t>;  // [M, N, K] -> calls
Shapes* g_recorded = nullptr;                                      // counting while set
}  // namespace

extern "C" void cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER order, OPENBLAS_CONST enum CBLAS_TRANSPOSE trans_a,
                            OPENBLAS_CONST enum CBLAS_TRANSPOSE trans_b, OPENBLAS_CONST blasint m,
                            OPENBLAS_CONST blasint n, OPENBLAS_CONST blasint k, OPENBLAS_CONST float alpha,
                            OPENBLAS_CONST float* a, OPENBLAS_CONST blasint lda, OPENBLAS_CONST float* b,
                            OPENBLAS_CONST blasint ldb, OPENBLAS_CONST float beta, float* c,
                            OPENBLAS_CONST blasint ldc) {
  using Sgemm = decltype(&cblas_sgemm);
  static const auto openblas = reinterpret_cast<Sgemm>(dlsym(RTLD_NEXT, "cblas_sgemm"));
  if (!openblas) throw std::runtime_error("cblas_sgemm: no shared library defines it after this program");
  if (g_recorded) ++(*g_recorded)[{std::size_t(m), std::size_t(n), std::size_t(k)}];
  openblas(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

namespace {
const std::string kModels = RECGRAD_BENCH "/models.json";

nlohmann::json read_models() {
  std::ifstream file(kModels);
  return nlohmann::json::parse(file);
}

// gemm_floor's command line run in a shell: its last line of output and its exit status.
std::pair<std::string, int> run_gemm_floor(const std::string& arguments) {
  FILE* pipe = popen((std::string(RECGRAD_GEMM_FLOOR) + " " + arguments + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " RECGRAD_GEMM_FLOOR);
  std::string line, last;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) {
    line += buffer;
    if (line.back() == '\n') last = std::exchange(line, "");
  }
  const int status = pclose(pipe);
  return {line.empty() ? last : line, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

Shapes floor_gemms(const std::string& model) {
  const auto [output, status] = run_gemm_floor(kModels + " " + model + " --list");
  if (status != 0)
    throw std::runtime_error("gemm_floor " + model + " --list: exit " + std::to_string(status) + ": " + output);
  const nlohmann::json listed = nlohmann::json::parse(output);
  Shapes shapes;
  for (const auto& gemm : listed.at("gemms"))  // [M, N, K, count]
    shapes[{gemm.at(0), gemm.at(1), gemm.at(2)}] += gemm.at(3).get<std::size_t>();
  return shapes;
}

// The gemms of one train_step of the model on synthetic batch 0, built as bench/train_throughput does.
Shapes recgrad_gemms(const nlohmann::json& entry) {
  const bench::BenchModel spec = bench::bench_model(entry);
  set_threads(1);
  ClickModel model(spec.config.model, spec.sizes(), 42);
  const std::unique_ptr<Optimizer> optimizer = make_optimizer(spec.config.optim, model.named_parameters());
  const Batch batch = spec.batch(0);
  Shapes shapes;
  g_recorded = &shapes;
  train_step(model, *optimizer, batch, StepOptions{});
  g_recorded = nullptr;
  return shapes;
}
}  // namespace

TEST(GemmFloor, ListsTheGemmsOfOneRecgradTrainingStep) {
  const nlohmann::json models = read_models();
  std::size_t checked = 0;
  for (const auto& [name, spec] : models.items()) {
    if (!spec.is_object() || spec.at("model").at("attention").at("kind") != "din") continue;
    SCOPED_TRACE(name);
    const Shapes recgrad = recgrad_gemms(spec);
    ASSERT_FALSE(recgrad.empty()) << "no cblas_sgemm call was counted: the interposer is not linked in";
    EXPECT_EQ(floor_gemms(name), recgrad);
    ++checked;
  }
  EXPECT_GE(checked, 2u) << kModels << " lost its din models";
}

TEST(GemmFloor, RefusesOtherAttentionKindsWithExitTwo) {
  const auto [output, status] = run_gemm_floor(kModels + " default --list");
  EXPECT_EQ(status, 2) << output;
  EXPECT_NE(output.find("only din"), std::string::npos) << output;
}
