#pragma once
// Helpers shared by the attention tests: batches with histories of different lengths, the layer's
// outputs as one tensor for gradcheck, golden parameters, and re-ordered histories.
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "layers/attention.h"
#include "layers/module.h"
#include "tests/test_util.h"

namespace recgrad::testing {

// A float64 leaf with N(0, 1) values that requires grad.
inline Tensor random_input(const Shape& shape, Rng& rng) {
  Tensor t = Tensor::randn(shape, rng, DType::Float64);
  t.requires_grad_();
  return t;
}

// Output and weights flattened into one vector, so gradcheck checks the Jacobians of both.
inline Tensor flat(const AttentionOutput& a) {
  return concat({reshape(a.output, {a.output.numel()}), reshape(a.weights, {a.weights.numel()})}, 0);
}

// inputs followed by the module's parameters (gradcheck perturbs them in place).
inline std::vector<Tensor> with_parameters(std::vector<Tensor> inputs, const Module& module) {
  for (const Tensor& p : module.parameters()) inputs.push_back(p);
  return inputs;
}

// Sets every parameter `name` of `module` to the fixture tensor `prefix + name`.
inline void load_parameters(Module& module, const std::string& file, const std::string& prefix) {
  for (auto& [name, p] : module.named_parameters()) p.copy_from(fixture_tensor(file, prefix + name));
}

// x re-ordered along `axis`: result[..., i, ...] = x[..., order[i], ...]. No graph.
inline Tensor reorder(const Tensor& x, std::size_t axis, const std::vector<std::size_t>& order) {
  const Shape& s = x.shape();
  const std::size_t n = s[axis], inner = numel(Shape(s.begin() + axis + 1, s.end())), outer = x.numel() / (n * inner);
  const std::vector<double> v = x.to_vector();
  std::vector<double> out(v.size());
  for (std::size_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < inner; ++k) out[(o * n + i) * inner + k] = v[(o * n + order[i]) * inner + k];
  return Tensor::from_vector(s, out, x.dtype());
}

}  // namespace recgrad::testing
