#pragma once
// Adam and AdamW, step for step as torch.optim.Adam / torch.optim.AdamW of PyTorch 1.13.
//
// For each parameter p with gradient g, at its t-th update (t counted per parameter, saved as "step"):
//   g  = -g                      if maximize
//   g  = g + weight_decay * p    (Adam: L2 penalty folded into the gradient)
//   p  = p * (1 - lr * weight_decay)   (AdamW instead: decay decoupled from the gradient)
//   m  = beta1 * m + (1 - beta1) * g                    "exp_avg"
//   v  = beta2 * v + (1 - beta2) * g * g                "exp_avg_sq"
//   v_max = max(v_max, v)        if amsgrad: the maximum of the raw v, bias-corrected below like v
//   p  = p - lr / (1 - beta1^t) * m / (sqrt(v or v_max) / sqrt(1 - beta2^t) + eps)
// eps is added after the square root of the bias-corrected second moment, as PyTorch does.
//
// Lazy Adam (option `lazy`), the sparse-aware Adam of large embedding tables: a parameter whose
// gradient is row-sparse (only gather_rows wrote it, Tensor::grad_rows) gets the rule above on the
// rows touched in this step only. Rows not touched keep their values AND their moments: their m and v
// are not decayed toward zero, and their p does not keep drifting along an old m. Dense Adam would
// treat them as g = 0 and move them anyway. The step t is the parameter's (every step() in which it
// has a gradient counts, touched or not), so a row seen at steps 1 and 5 is corrected with t = 5,
// as torch.optim.SparseAdam and TensorFlow's LazyAdamOptimizer do. With every row touched, lazy
// and dense Adam do the same arithmetic and agree bit for bit. Unlike SparseAdam, lazy Adam keeps
// Adam's eps placement and supports weight_decay and amsgrad (applied to touched rows only).
// Dense parameters are unaffected by `lazy`.
#include "optim/optimizer.h"

namespace recgrad {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
  bool lazy = false;  // update only the touched rows of row-sparse gradients (see above)
};

class Adam : public Optimizer {
 public:
  // Throws std::invalid_argument on lr < 0, eps < 0, betas outside [0, 1), weight_decay < 0.
  explicit Adam(NamedTensors params, AdamOptions options = {});

  const AdamOptions& options() const { return options_; }

 protected:
  enum class Decay { L2, Decoupled };
  Adam(NamedTensors params, AdamOptions options, Decay decay, const char* name);

  // "exp_avg", "exp_avg_sq", and "max_exp_avg_sq" with amsgrad.
  std::vector<std::string> state_fields() const override;
  void update(Tensor& param, ParamState& state) override;

 private:
  AdamOptions options_;
  Decay decay_;
};

// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter). Defaults as torch.optim.AdamW,
// whose weight_decay is 0.01 (Adam's is 0).
class AdamW final : public Adam {
 public:
  static AdamOptions defaults() {
    AdamOptions options;
    options.weight_decay = 0.01;
    return options;
  }
  explicit AdamW(NamedTensors params, AdamOptions options = defaults());
};

}  // namespace recgrad
