#include "optim/sgd.h"

#include "optim/gradients.h"

namespace recgrad {

SGD::SGD(NamedTensors params, SGDOptions options) : Optimizer(std::move(params), options.lr, "SGD"), options_(options) {
  check_option(options.momentum >= 0, "momentum", ">= 0", options.momentum);
  check_option(options.weight_decay >= 0, "weight_decay", ">= 0", options.weight_decay);
  check_option(!options.nesterov || options.momentum > 0, "momentum", "> 0 with nesterov", options.momentum);
  check_option(!options.nesterov || options.dampening == 0, "dampening", "0 with nesterov", options.dampening);
}

std::vector<std::string> SGD::state_fields() const {
  if (options_.momentum != 0) return {"momentum_buffer"};
  return {};
}

void SGD::update(Tensor& param, ParamState& state) {
  const SGDOptions& o = options_;
  const bool first_update = state.step == 1;
  dispatch(param.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T lr = T(this->lr()), weight_decay = T(o.weight_decay), momentum = T(o.momentum);
    const T one_minus_dampening = T(1 - o.dampening);
    T* p = param.mutable_data<T>();
    const T* grad = param.grad_data<T>();
    T* buffer = o.momentum != 0 ? state.buffers[0].mutable_data<T>() : nullptr;
    for (const GradRun& run : all_runs(param)) {  // g = 0 on rows a row-sparse gradient left out
      for (std::size_t i = run.param_begin, end = run.param_begin + run.length; i < end; ++i) {
        T g = run.touched ? grad[run.grad_begin + (i - run.param_begin)] : T(0);
        if (o.maximize) g = -g;
        if (o.weight_decay != 0) g += weight_decay * p[i];
        if (buffer != nullptr) {
          buffer[i] = first_update ? g : momentum * buffer[i] + one_minus_dampening * g;
          g = o.nesterov ? g + momentum * buffer[i] : buffer[i];
        }
        p[i] -= lr * g;
      }
    }
  });
}

}  // namespace recgrad
