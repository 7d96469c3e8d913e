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

// max(x, 0) + a * min(x, 0) = relu(x) - a * relu(-x)
Tensor PReLU::forward(const Tensor& x) {
  if (weight.numel() > 1) check_last_axis("PReLU", x, weight.numel());
  return relu(x) - weight * relu(-x);
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
  Tensor normalized;
  if (is_training()) {
    const std::size_t count = x.numel() / alpha.numel();
    if (count < 2)
      throw std::invalid_argument(
          "Dice: batch statistics need more than one value per feature in training, got input " + to_string(x.shape()));
    std::vector<int> batch_axes(x.dim() - 1);
    for (std::size_t i = 0; i < batch_axes.size(); ++i) batch_axes[i] = static_cast<int>(i);
    const Tensor batch_mean = mean(x, batch_axes);                   // [D]
    const Tensor centered = x - batch_mean;                          // [..., D]
    const Tensor batch_var = mean(centered * centered, batch_axes);  // [D], biased as batch norm's
    normalized = centered / sqrt(batch_var + eps_);
    update_running_stats(batch_mean, batch_var, count);
  } else {
    normalized = (x - running_mean) / sqrt(running_var + eps_);
  }
  const Tensor p = sigmoid(normalized);
  return x * (p + (1.0 - p) * alpha);  // p * s + (1 - p) * alpha * s
}

void Dice::update_running_stats(const Tensor& batch_mean, const Tensor& batch_var, std::size_t count) {
  const std::vector<double> m = batch_mean.to_vector(), v = batch_var.to_vector();
  const double unbiased = static_cast<double>(count) / static_cast<double>(count - 1);
  dispatch(alpha.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* rm = running_mean.mutable_data<T>();
    T* rv = running_var.mutable_data<T>();
    for (std::size_t i = 0; i < m.size(); ++i) {
      rm[i] = static_cast<T>((1 - momentum_) * rm[i] + momentum_ * m[i]);
      rv[i] = static_cast<T>((1 - momentum_) * rv[i] + momentum_ * v[i] * unbiased);
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
