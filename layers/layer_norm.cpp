#include "layers/layer_norm.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

LayerNorm::LayerNorm(std::size_t dim, DType dtype, LayerNormOptions options) : dim_(dim), eps_(options.eps) {
  if (dim == 0) throw std::invalid_argument("LayerNorm: dim must be positive");
  if (!(options.eps > 0))
    throw std::invalid_argument("LayerNorm: eps must be positive, got " + std::to_string(options.eps));
  if (options.affine) {
    weight = register_parameter("weight", Tensor::ones({dim}, dtype));
    bias = register_parameter("bias", Tensor::zeros({dim}, dtype));
  }
}

Tensor LayerNorm::forward(const Tensor& x) const {
  if (x.dim() == 0 || x.size(-1) != dim_)
    throw std::invalid_argument("LayerNorm: input of shape " + to_string(x.shape()) + " does not end in dim " +
                                std::to_string(dim_));
  const Tensor centered = x - mean(x, {-1}, true);                // [..., dim]
  const Tensor variance = mean(centered * centered, {-1}, true);  // [..., 1]
  Tensor y = centered / sqrt(variance + eps_);
  if (weight.defined()) y = y * weight + bias;
  return y;
}

}  // namespace recgrad
