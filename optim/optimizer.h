#pragma once
// Optimizer: the common frame of Adam, AdamW and SGD. It holds a module's named parameters, the
// learning rate, and per-parameter state (a step count and buffers shaped like the parameter, such as
// Adam's moments), and saves and loads that state by parameter name for checkpoints and exact resume.
//
// A training step:   opt.zero_grad();  loss.backward();  opt.step();
// A parameter whose grad is absent (no backward reached it yet) is skipped by step(), as PyTorch skips
// `p.grad is None`; its state is created at its first update, as PyTorch's is.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates every parameter that has a gradient, from that gradient.
  void step();
  // Sets every gradient to zero in place; a row-sparse gradient (see Tensor::grad_rows) only on its rows.
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr);  // for schedules (optim/schedule.h); throws when negative or not finite

  const NamedTensors& parameters() const { return params_; }

  // Copies of the state, one entry per field of each parameter updated so far, in parameter order:
  //   "<parameter>.step"  (float64 scalar: the number of updates applied to that parameter)
  //   "<parameter>.<field>" for each name in state_fields() (shaped and typed like the parameter).
  NamedTensors state_dict() const;
  // Replaces the state by `state` (values are copied). Throws std::invalid_argument, naming the key,
  // on an unexpected key, a missing field, a wrong shape or a bad step; then nothing is changed.
  // Parameters without any key start fresh, as if never updated.
  void load_state_dict(const NamedTensors& state);

 protected:
  // The state of one parameter. `step` is 0 until its first update; `buffers` follow state_fields().
  struct ParamState {
    std::int64_t step = 0;
    std::vector<Tensor> buffers;
  };

  // `name` ("Adam", ...) prefixes every error message. Throws on duplicate names or non-leaf tensors.
  Optimizer(NamedTensors params, double lr, std::string name);

  // Names of the per-parameter buffers, e.g. {"exp_avg", "exp_avg_sq"}; fixed after construction.
  virtual std::vector<std::string> state_fields() const = 0;
  // Applies one update to `param` from its gradient; `state.step` already counts this update.
  virtual void update(Tensor& param, ParamState& state) = 0;

  // Throws std::invalid_argument "<optimizer>: <what> must be <rule>, got <value>" unless `ok`.
  void check_option(bool ok, const char* what, const char* rule, double value) const;

  const std::string& name() const { return name_; }

 private:
  NamedTensors params_;
  std::vector<ParamState> state_;  // aligned with params_
  double lr_;
  std::string name_;
};

}  // namespace recgrad
