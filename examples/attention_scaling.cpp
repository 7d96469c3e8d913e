// Chapter 3 of the walkthrough: why scaled dot-product attention divides by sqrt(d_k).
// For each d_k, many random queries and keys with unit-variance entries (as after a well-initialised
// projection) are scored against T keys, with and without the 1/sqrt(d_k) factor:
//   scores  = q kᵀ (· 1/sqrt(d_k))           [N, 1, T]   what softmax sees
//   weights = softmax(scores)                 [N, 1, T]
//   L       = Σ weights · u   (u a random upstream gradient, as a loss would send)
// and reports, averaged over the N queries: the standard deviation of the scores, the largest
// weight (1 = softmax saturated on one key), and the size |dL/dscores| of the gradient that gets
// through softmax (from backward()): everything that trains q and k arrives through it. Prints JSON.
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "core/random.h"

using namespace recgrad;
using nlohmann::json;

namespace {
constexpr std::size_t kQueries = 500, kKeys = 16;

json measure(std::size_t d_k, bool scaled, Rng& rng) {
  const DType f64 = DType::Float64;
  const Tensor query = Tensor::randn({kQueries, 1, d_k}, rng, f64);
  const Tensor keys = Tensor::randn({kQueries, kKeys, d_k}, rng, f64);
  const Tensor upstream = Tensor::randn({kQueries, 1, kKeys}, rng, f64);
  const Tensor dot = matmul(query, transpose(keys, 1, 2));                            // [N, 1, T]
  Tensor scores = (scaled ? dot * (1.0 / std::sqrt(double(d_k))) : dot).detach().requires_grad_();  // a leaf
  const Tensor weights = softmax(scores, -1);
  sum(weights * upstream).backward();

  // Per query: the scores' spread, the largest weight, the gradient's norm; then their means.
  const std::vector<double> s = scores.to_vector(), w = weights.to_vector(), g = scores.grad().to_vector();
  double spread = 0, top = 0, grad_norm = 0;
  for (std::size_t n = 0; n < kQueries; ++n) {
    double mean = 0, var = 0, biggest = 0, sq = 0;
    for (std::size_t t = 0; t < kKeys; ++t) mean += s[n * kKeys + t] / kKeys;
    for (std::size_t t = 0; t < kKeys; ++t) {
      const std::size_t i = n * kKeys + t;
      var += (s[i] - mean) * (s[i] - mean) / kKeys;
      biggest = std::max(biggest, w[i]);
      sq += g[i] * g[i];
    }
    spread += std::sqrt(var) / kQueries;
    top += biggest / kQueries;
    grad_norm += std::sqrt(sq) / kQueries;
  }
  return {{"d_k", d_k}, {"scaled", scaled}, {"score_std", spread}, {"max_weight", top}, {"grad_norm", grad_norm}};
}
}  // namespace

int main() {
  Rng rng(7);
  json out{{"queries", kQueries}, {"keys", kKeys}, {"rows", json::array()}};
  for (std::size_t d_k : {2, 4, 8, 16, 32, 64, 128, 256, 512})
    for (bool scaled : {false, true}) out["rows"].push_back(measure(d_k, scaled, rng));
  std::cout << out.dump(2) << "\n";
  return 0;
}
