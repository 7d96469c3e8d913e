#include "optim/adam.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"
#include "optim/gradients.h"

namespace recgrad {

namespace {

// The per-step constants of one parameter's update, computed once in double.
struct AdamStep {
  double beta1, beta2, eps;
  double l2;                     // Adam's weight_decay folded into g (0 for AdamW)
  double keep;                   // AdamW's 1 - lr * weight_decay (1 for Adam)
  double step_size;              // lr / (1 - beta1^t)
  double bias_correction2_sqrt;  // sqrt(1 - beta2^t)
  bool amsgrad, maximize;
};

// The Adam rule (see adam.h) on n elements; grad == nullptr means g = 0 (rows a sparse gradient left out).
template <class T>
void adam_kernel(const AdamStep& s, std::size_t n, T* p, const T* grad, T* m, T* v, T* v_max) {
  const T beta1 = T(s.beta1), beta2 = T(s.beta2), eps = T(s.eps), l2 = T(s.l2), keep = T(s.keep);
  const T one_minus_beta1 = T(1 - s.beta1), one_minus_beta2 = T(1 - s.beta2);
  const T step_size = T(s.step_size), bias_correction2_sqrt = T(s.bias_correction2_sqrt);
  for (std::size_t i = 0; i < n; ++i) {
    T g = grad != nullptr ? grad[i] : T(0);
    if (s.maximize) g = -g;
    if (s.l2 != 0) g += l2 * p[i];
    if (s.keep != 1) p[i] *= keep;
    m[i] = beta1 * m[i] + one_minus_beta1 * g;
    v[i] = beta2 * v[i] + one_minus_beta2 * g * g;
    T second_moment = v[i];
    if (s.amsgrad) {
      v_max[i] = std::max(v_max[i], v[i]);
      second_moment = v_max[i];
    }
    const T denom = std::sqrt(second_moment) / bias_correction2_sqrt + eps;
    p[i] -= step_size * m[i] / denom;
  }
}

// Runs cut into pieces of at most 4096 elements, so that a dense parameter's one run spreads over
// threads too. The kernel is elementwise: the cut changes no result.
std::vector<GradRun> cut_runs(const std::vector<GradRun>& runs) {
  constexpr std::size_t kPiece = 4096;
  std::vector<GradRun> pieces;
  for (const GradRun& run : runs)
    for (std::size_t at = 0; at < run.length; at += kPiece)
      pieces.push_back({run.param_begin + at, std::min(kPiece, run.length - at), run.touched, run.grad_begin + at});
  return pieces;
}

}  // namespace

Adam::Adam(NamedTensors params, AdamOptions options) : Adam(std::move(params), options, Decay::L2, "Adam") {}

Adam::Adam(NamedTensors params, AdamOptions options, Decay decay, const char* name)
    : Optimizer(std::move(params), options.lr, name), options_(options), decay_(decay) {
  check_option(options.eps >= 0, "eps", ">= 0", options.eps);
  check_option(options.beta1 >= 0 && options.beta1 < 1, "beta1", "in [0, 1)", options.beta1);
  check_option(options.beta2 >= 0 && options.beta2 < 1, "beta2", "in [0, 1)", options.beta2);
  check_option(options.weight_decay >= 0, "weight_decay", ">= 0", options.weight_decay);
}

AdamW::AdamW(NamedTensors params, AdamOptions options) : Adam(std::move(params), options, Decay::Decoupled, "AdamW") {}

std::vector<std::string> Adam::state_fields() const {
  if (options_.amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
  return {"exp_avg", "exp_avg_sq"};
}

void Adam::update(Tensor& param, ParamState& state) {
  const double t = static_cast<double>(state.step);
  AdamStep s;
  s.beta1 = options_.beta1;
  s.beta2 = options_.beta2;
  s.eps = options_.eps;
  s.l2 = decay_ == Decay::L2 ? options_.weight_decay : 0.0;
  s.keep = decay_ == Decay::Decoupled ? 1 - lr() * options_.weight_decay : 1.0;
  s.step_size = lr() / (1 - std::pow(options_.beta1, t));
  s.bias_correction2_sqrt = std::sqrt(1 - std::pow(options_.beta2, t));
  s.amsgrad = options_.amsgrad;
  s.maximize = options_.maximize;

  const std::vector<GradRun> runs = cut_runs(options_.lazy ? touched_runs(param) : all_runs(param));
  std::size_t elements = 0;
  for (const GradRun& run : runs) elements += run.length;
  dispatch(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* p = param.mutable_data<T>();
    const T* grad = param.grad_data<T>();
    T* m = state.buffers[0].mutable_data<T>();
    T* v = state.buffers[1].mutable_data<T>();
    T* v_max = options_.amsgrad ? state.buffers[2].mutable_data<T>() : nullptr;
#pragma omp parallel for schedule(static) num_threads(threads_for(elements))
    for (std::size_t r = 0; r < runs.size(); ++r) {
      const GradRun& run = runs[r];
      const std::size_t at = run.param_begin;
      adam_kernel<T>(s, run.length, p + at, run.touched ? grad + run.grad_begin : nullptr, m + at, v + at,
                     v_max != nullptr ? v_max + at : nullptr);
    }
  });
}

}  // namespace recgrad
