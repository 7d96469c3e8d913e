#include "optim/clip.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "optim/gradients.h"

namespace recgrad {

namespace {

// |a|^q and its inverse, with the common q = 1, 2 exact and fast (pow per element is slow).
double power(double a, double q) { return q == 2 ? a * a : q == 1 ? a : std::pow(a, q); }
double root(double a, double q) { return q == 2 ? std::sqrt(a) : q == 1 ? a : std::pow(a, 1 / q); }

// ||g||_q of one parameter's gradient, over its buffer: for a row-sparse gradient, the touched rows,
// outside which it is zero.
template <class T>
double grad_norm(const Tensor& param, double q) {
  const T* grad = param.grad_data<T>();
  double acc = 0;
  for (std::size_t i = 0, n = grad_buffer_size(param); i < n; ++i) {
    const double a = std::abs(static_cast<double>(grad[i]));
    acc = std::isinf(q) ? std::max(acc, a) : acc + power(a, q);
  }
  return std::isinf(q) ? acc : root(acc, q);
}

// Applies f to every gradient element that may be non-zero, for each parameter with a gradient.
template <class F>
void for_each_grad_element(const NamedTensors& params, F f) {
  for (const auto& named : params) {
    Tensor param = named.second;
    if (!param.has_grad()) continue;
    dispatch(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* grad = param.mutable_grad_data<T>();
      for (std::size_t i = 0, n = grad_buffer_size(param); i < n; ++i) grad[i] = f(grad[i]);
    });
  }
}

}  // namespace

double clip_grad_norm(const NamedTensors& params, double max_norm, double norm_type) {
  if (!(max_norm >= 0))
    throw std::invalid_argument("clip_grad_norm: max_norm must be >= 0, got " + std::to_string(max_norm));
  if (!(norm_type > 0))
    throw std::invalid_argument("clip_grad_norm: norm_type must be > 0, got " + std::to_string(norm_type));
  const bool max_norm_type = std::isinf(norm_type);

  double total = 0;
  for (const auto& [name, param] : params) {
    if (!param.has_grad()) continue;
    const double norm = dispatch(param.dtype(), [&](auto zero) { return grad_norm<decltype(zero)>(param, norm_type); });
    total = max_norm_type ? std::max(total, norm) : total + power(norm, norm_type);
  }
  if (!max_norm_type) total = root(total, norm_type);

  // std::min keeps a NaN coefficient, as torch.clamp does.
  const double coefficient = std::min(max_norm / (total + 1e-6), 1.0);
  for_each_grad_element(params, [coefficient](auto g) { return static_cast<decltype(g)>(g * coefficient); });
  return total;
}

void clip_grad_value(const NamedTensors& params, double clip_value) {
  if (!(clip_value >= 0))
    throw std::invalid_argument("clip_grad_value: clip_value must be >= 0, got " + std::to_string(clip_value));
  for_each_grad_element(params, [clip_value](auto g) {
    using T = decltype(g);
    return std::clamp(g, T(-clip_value), T(clip_value));
  });
}

}  // namespace recgrad

