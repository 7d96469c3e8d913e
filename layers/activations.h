#pragma once
// Activations as modules, so that MLP can take one by name and the learned ones (PReLU, Dice) own
// their parameters. Each maps x [..., D] -> [..., D] elementwise (Dice with per-feature statistics).
// forward is not const: Dice updates its running statistics while training.
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"

namespace recgrad {

class Activation : public Module {
 public:
  virtual Tensor forward(const Tensor& x) = 0;
};

// relu(x) = max(x, 0)
class ReLU : public Activation {
 public:
  Tensor forward(const Tensor& x) override;
};

// sigmoid(x) = 1 / (1 + exp(-x))
class Sigmoid : public Activation {
 public:
  Tensor forward(const Tensor& x) override;
};

// PReLU (He et al., 2015): f(x) = max(x, 0) + a * min(x, 0), slope a learned ("weight").
// num_parameters = 1 shares one slope (torch's default, init 0.25); num_parameters = D learns one per
// feature along the LAST axis (torch uses axis 1, which is the same for the [N, D] inputs of an MLP).
// Two forms: the reference (fused_kernels() false) is relu(x) + a * (x - relu(x)), min(x, 0) being
// x - relu(x) (its gradient at x = 0 is a dy, as PyTorch's); the default runs the fused op `prelu`
// (core/ops/prelu.cpp), one pass each way where the composed form takes four with a broadcast.
class PReLU : public Activation {
 public:
  explicit PReLU(std::size_t num_parameters = 1, DType dtype = DType::Float32, double init = 0.25);
  Tensor forward(const Tensor& x) override;
  Tensor weight;  // [num_parameters]
};

// Dice (DIN, Zhou et al., 2018): a PReLU whose switch point follows the data.
//   p(s) = sigmoid((s - E[s]) / sqrt(Var[s] + eps)),   f(s) = p * s + (1 - p) * alpha * s
// per feature (last axis). Training: E and Var are the batch statistics over all other axes (the
// gradient flows through them, as in batch norm), and running_mean / running_var (buffers) move
// towards them by `momentum`, with the unbiased variance as torch.nn.BatchNorm keeps. Eval: the
// running statistics are used. alpha [D] starts at zero (as the DIN authors' code); eps = 1e-8 as the
// paper. Unlike the batch norm in some Dice ports, there is no learned scale or shift.
// Two forms: the reference (fused_kernels() false) is the formula above composed from mean, sqrt,
// sigmoid, ... (the batch statistics are graph tensors, so the gradient flows through them); the
// default runs the fused op `dice` (core/ops/dice.cpp), one pass each way where the composed form
// takes about ten broadcasting passes over [n, D]. Both update the running statistics the same way.
class Dice : public Activation {
 public:
  explicit Dice(std::size_t dim, DType dtype = DType::Float32, double eps = 1e-8, double momentum = 0.1);
  Tensor forward(const Tensor& x) override;
  Tensor alpha, running_mean, running_var;

 private:
  Tensor fused_forward(const Tensor& x, std::size_t count);
  Tensor reference_forward(const Tensor& x, std::size_t count);
  // f(x) with E[x] = expectation, Var[x] = variance ([D] each), composed from primitive ops.
  Tensor formula(const Tensor& x, const Tensor& expectation, const Tensor& variance) const;
  void update_running_stats(const std::vector<double>& batch_mean, const std::vector<double>& batch_var,
                            std::size_t count);
  double eps_, momentum_;
};

// "relu", "sigmoid", "prelu" (one slope per feature), "dice"; `dim` is the feature size D.
std::shared_ptr<Activation> make_activation(const std::string& name, std::size_t dim, DType dtype = DType::Float32);

}  // namespace recgrad
