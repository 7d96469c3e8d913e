#pragma once
// One model of bench/models.json as the benchmarks build it (train_throughput, gemm_floor, and
// tests/train/test_gemm_floor.cpp): its config's model and optim sections, the sizes of its synthetic
// batches, and the feature sizes its ClickModel is built with.
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/synthetic_batches.h"
#include "models/click_model.h"
#include "train/config.h"

namespace recgrad::bench {

struct BenchModel {
  RunConfig config;              // the entry's "model" and "optim" sections, every default filled in
  std::size_t B, T, items;       // batch size, history length, item vocabulary (padding row 0 included)
  std::vector<std::size_t> side;  // each side-info field's vocabulary

  FeatureSizes sizes() const {
    FeatureSizes s;
    s.items = items;
    s.side = side;
    for (std::size_t f = 0; f < side.size(); ++f) s.side_names.push_back("side" + std::to_string(f));
    s.max_len = T;
    return s;
  }
  Batch batch(std::uint64_t k) const { return synthetic_batch(k, B, T, items, side); }  // synthetic batch k
};

inline BenchModel bench_model(const nlohmann::json& spec) {
  return {parse_run_config({{"model", spec.at("model")}, {"optim", spec.at("optim")}}), spec.at("batch"),
          spec.at("T"), spec.at("items"), spec.at("side")};
}

// The entry `name` of the models file at `path`; throws naming the file when it cannot be read.
inline BenchModel bench_model(const std::string& path, const std::string& name) {
  std::ifstream file(path);
  if (!file) throw std::invalid_argument(path + ": cannot open");
  return bench_model(nlohmann::json::parse(file).at(name));
}

}  // namespace recgrad::bench
