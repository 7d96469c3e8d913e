#pragma once
// Helpers shared by the op tests: random inputs kept away from kinks and poles, the comparison with
// PyTorch's values in tests/fixtures/ops.json, and checks that errors name what went wrong.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/random.h"
#include "tests/test_util.h"

namespace recgrad::testing {

using Inputs = std::vector<Tensor>;
using Op = std::function<Tensor(const Inputs&)>;

// A float64 leaf that requires grad, values uniform in [low, high).
inline Tensor param(const Shape& shape, Rng& rng, double low = -2.0, double high = 2.0) {
  Tensor t = Tensor::uniform(shape, low, high, rng, DType::Float64);
  t.requires_grad_();
  return t;
}

// Like param, but |value| in [0.2, 2) with a random sign: central differences of relu (or of max
// ties) across a kink would be wrong by design.
inline Tensor param_away_from_zero(const Shape& shape, Rng& rng) {
  std::vector<double> v(numel(shape));
  for (double& x : v) x = (rng.uniform() < 0.5 ? -1.0 : 1.0) * rng.uniform(0.2, 2.0);
  Tensor t = Tensor::from_vector(shape, v, DType::Float64);
  t.requires_grad_();
  return t;
}

// Index values stored in a fixture tensor.
inline std::vector<std::int64_t> as_indices(const Tensor& t) {
  std::vector<std::int64_t> out;
  for (double v : t.to_vector()) out.push_back(static_cast<std::int64_t>(v));
  return out;
}

// Runs `op` on the inputs `<name>.<input>` of ops.json and checks, in float64 to 1e-12, its output
// against `<name>.output` and, for inputs that have a `<name>.<input>.grad`, their gradients of
// sum(output * grad_output). Then runs it in float32 and checks the output to 1e-5.
inline void expect_matches_torch(const std::string& name, const std::vector<std::string>& input_names, const Op& op) {
  const auto& cases = fixture("ops.json").at("cases");
  Inputs inputs;
  for (const std::string& in : input_names) {
    inputs.push_back(fixture_tensor("ops.json", name + "." + in));
    if (cases.contains(name + "." + in + ".grad")) inputs.back().requires_grad_();
  }
  const Tensor expected = fixture_tensor("ops.json", name + ".output");
  const Tensor output = op(inputs);
  EXPECT_TRUE(AllClose(output, expected, 1e-12)) << name << ".output";
  if (cases.contains(name + ".grad_output")) {
    output.backward(fixture_tensor("ops.json", name + ".grad_output"));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].requires_grad()) continue;
      const std::string grad = name + "." + input_names[i] + ".grad";
      EXPECT_TRUE(AllClose(inputs[i].grad(), fixture_tensor("ops.json", grad), 1e-12)) << grad;
    }
  }
  Inputs inputs32;
  for (const Tensor& t : inputs) inputs32.push_back(t.to(DType::Float32));
  const Tensor output32 = op(inputs32);
  EXPECT_EQ(output32.dtype(), DType::Float32) << name;
  EXPECT_TRUE(AllClose(output32.to(DType::Float64), expected, 1e-5)) << name << ".output in float32";
}


}  // namespace recgrad::testing
