#pragma once
// The element types a tensor can hold. Models train in Float32; gradient checks run in Float64.
#include <string>

namespace recgrad {

enum class DType { Float32, Float64 };

inline const char* dtype_name(DType d) { return d == DType::Float32 ? "float32" : "float64"; }

// Calls f(float{}) or f(double{}) so one generic lambda serves both dtypes:
//   dispatch(t.dtype(), [&](auto zero) { using T = decltype(zero); ... });
template <class F>
decltype(auto) dispatch(DType d, F&& f) {
  if (d == DType::Float32) return f(float{});
  return f(double{});
}

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() { return DType::Float32; }
template <>
constexpr DType dtype_of<double>() { return DType::Float64; }

}  // namespace recgrad
