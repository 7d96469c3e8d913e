#include "layers/activations.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

namespace {
void check_last_axis(const char* layer, const Tensor& x, std::size_t dim) {
  if (x.dim() == 0 || x.size(-1) != dim)
    throw std::invalid_argument(std::string(layer) + ": input of shape " + to_string(x.shape()) +
                                " does not end in feature size " + std::to_string(dim));
}
}  // namespace

Tensor ReLU::forward(const Tensor& x) { return relu(x); }

Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }

PReLU::PReLU(std::size_t num_parameters, DType dtype, double init) {
  if (num_parameters == 0) throw std::invalid_argument("PReLU: num_parameters must be positive");
  weight = register_parameter("weight", Tensor::full({num_parameters}, init, dtype));
}

Tensor PReLU::forward(const Tensor& x) {
  if (weight.numel() > 1) check_last_axis("PReLU", x, weight.numel());
  if (fused_kernels()) return prelu(x, weight);  // core/ops/prelu.cpp
  const Tensor positive = relu(x);              // max(x, 0)
  return positive + weight * (x - positive);    // max(x, 0) + a min(x, 0)
}

Dice::Dice(std::size_t dim, DType dtype, double eps, double momentum) : eps_(eps), momentum_(momentum) {
  if (dim == 0) throw std::invalid_argument("Dice: dim must be positive");
  if (!(momentum >= 0 && momentum <= 1))
    throw std::invalid_argument("Dice: momentum must be in [0, 1], got " + std::to_string(momentum));
  alpha = register_parameter("alpha", Tensor::zeros({dim}, dtype));
  running_mean = register_buffer("running_mean", Tensor::zeros({dim}, dtype));
  running_var = register_buffer("running_var", Tensor::ones({dim}, dtype));
}

Tensor Dice::forward(const Tensor& x) {
  check_last_axis("Dice", x, alpha.numel());
  if (!is_training())
    return fused_kernels() ? dice(x, alpha, running_mean, running_var, eps_) : formula(x, running_mean, running_var);
  const std::size_t count = x.numel() / alpha.numel();  // values per feature
  if (count < 2)
    throw std::invalid_argument(
        "Dice: batch statistics need more than one value per feature in training, got input " + to_string(x.shape()));
  return fused_kernels() ? fused_forward(x, count) : reference_forward(x, count);
}

Tensor Dice::fused_forward(const Tensor& x, std::size_t count) {
  std::vector<double> batch_mean, batch_var;
  const Tensor y = dice(x, alpha, eps_, &batch_mean, &batch_var);  // core/ops/dice.cpp
  update_running_stats(batch_mean, batch_var, count);
  return y;
}

// x [..., D]: the statistics are over every axis but the last.
Tensor Dice::reference_forward(const Tensor& x, std::size_t count) {
  std::vector<int> rows(x.dim() - 1);
  for (std::size_t axis = 0; axis < rows.size(); ++axis) rows[axis] = int(axis);
  const Tensor batch_mean = mean(x, rows);                      // [D]
  const Tensor batch_var = mean(pow(x - batch_mean, 2), rows);  // [D], biased
  update_running_stats(batch_mean.to_vector(), batch_var.to_vector(), count);
  return formula(x, batch_mean, batch_var);
}

Tensor Dice::formula(const Tensor& x, const Tensor& expectation, const Tensor& variance) const {
  const Tensor p = sigmoid((x - expectation) / sqrt(variance + eps_));  // [..., D]
  return p * x + (1.0 - p) * alpha * x;
}

void Dice::update_running_stats(const std::vector<double>& batch_mean, const std::vector<double>& batch_var,
                                std::size_t count) {
  const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
  dispatch(alpha.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* rm = running_mean.mutable_data<T>();
    T* rv = running_var.mutable_data<T>();
    for (std::size_t i = 0; i < batch_mean.size(); ++i) {
      rm[i] = static_cast<T>((1 - momentum_) * rm[i] + momentum_ * batch_mean[i]);
      rv[i] = static_cast<T>((1 - momentum_) * rv[i] + momentum_ * batch_var[i] * unbiased);
    }
  });
}

std::shared_ptr<Activation> make_activation(const std::string& name, std::size_t dim, DType dtype) {
  if (name == "relu") return std::make_shared<ReLU>();
  if (name == "sigmoid") return std::make_shared<Sigmoid>();
  if (name == "prelu") return std::make_shared<PReLU>(dim, dtype);
  if (name == "dice") return std::make_shared<Dice>(dim, dtype);
  throw std::invalid_argument("activation \"" + name + "\" is unknown; expected relu, sigmoid, prelu or dice");
}

}  // namespace recgrad
