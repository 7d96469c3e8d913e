#pragma once
// SGD with momentum, dampening, Nesterov momentum and L2 weight decay, as torch.optim.SGD of
// PyTorch 1.13. For each parameter p with gradient g:
//   g = -g                       if maximize
//   g = g + weight_decay * p
//   b = g                        at the parameter's first update ("momentum_buffer"; no dampening)
//   b = momentum * b + (1 - dampening) * g      afterwards
//   g = g + momentum * b  if nesterov,  else  g = b          (only when momentum != 0)
//   p = p - lr * g
// Row-sparse gradients are read densely: rows not touched have g = 0 and still follow their momentum.
#include "optim/optimizer.h"

namespace recgrad {

struct SGDOptions {
  double lr = 1e-2;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

class SGD final : public Optimizer {
 public:
  // Throws std::invalid_argument on lr < 0, momentum < 0, weight_decay < 0, and on nesterov without
  // a positive momentum and zero dampening.
  explicit SGD(NamedTensors params, SGDOptions options = {});

  const SGDOptions& options() const { return options_; }

 protected:
  // "momentum_buffer" when momentum != 0, else none.
  std::vector<std::string> state_fields() const override;
  void update(Tensor& param, ParamState& state) override;

 private:
  SGDOptions options_;
};

}  // namespace recgrad
