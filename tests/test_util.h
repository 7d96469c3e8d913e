#pragma once
// Helpers shared by the test programs: golden fixtures made once with PyTorch, and gradcheck asserts.
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/gradcheck.h"
#include "core/tensor.h"

namespace recgrad::testing {

// tests/fixtures/<file>: {"torch_version": ..., "cases": {name: {"shape": [...], "values": [...]}, ...}}
// written by the scripts in tests/golden/.
inline const nlohmann::json& fixture(const std::string& file) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(file);
  if (it == cache.end()) {
    std::ifstream in(std::string(RECGRAD_FIXTURES) + "/" + file);
    if (!in) throw std::runtime_error("missing fixture tests/fixtures/" + file);
    it = cache.emplace(file, nlohmann::json::parse(in)).first;
  }
  return it->second;
}

// A fixture tensor as a float64 leaf.
inline Tensor fixture_tensor(const std::string& file, const std::string& name, DType dtype = DType::Float64) {
  const nlohmann::json& c = fixture(file).at("cases").at(name);
  return Tensor::from_vector(c.at("shape").get<Shape>(), c.at("values").get<std::vector<double>>(), dtype);
}

// Elementwise |actual - expected| <= tol, with the first offending index in the message.
inline ::testing::AssertionResult AllClose(const Tensor& actual, const Tensor& expected, double tol) {
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << "shape " << to_string(actual.shape()) << " vs "
                                         << to_string(expected.shape());
  const auto a = actual.to_vector(), e = expected.to_vector();
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::abs(a[i] - e[i]) <= tol))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << e[i] << " (tol " << tol
                                           << ")";
  return ::testing::AssertionSuccess();
}

// Passes when `f` throws E with a message that contains every one of `parts` (the op's name, the
// shapes, the offending value, the file:line).
template <class E = std::invalid_argument>
::testing::AssertionResult ThrowsNaming(const std::function<void()>& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string message = e.what();
    for (const std::string& part : parts)
      if (message.find(part) == std::string::npos)
        return ::testing::AssertionFailure() << "message \"" << message << "\" does not contain \"" << part << "\"";
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "nothing thrown";
}

// EXPECT_GRADCHECK(f, {inputs...}): gradcheck with default tolerances, its message on failure.
#define EXPECT_GRADCHECK(f, ...)                                             \
  do {                                                                       \
    const ::recgrad::GradcheckResult r_ = ::recgrad::gradcheck(f, __VA_ARGS__); \
    EXPECT_TRUE(r_.ok) << r_.message;                                        \
    EXPECT_GT(r_.checked, 0u) << "gradcheck compared nothing";               \
  } while (0)

}  // namespace recgrad::testing
