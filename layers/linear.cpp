#include "layers/linear.h"

#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "layers/init.h"

namespace recgrad {

Linear::Linear(std::size_t in_features, std::size_t out_features, Rng& rng, DType dtype, LinearOptions options)
    : in_features_(in_features), out_features_(out_features) {
  if (in_features == 0 || out_features == 0)
    throw std::invalid_argument("Linear: in_features and out_features must be positive, got " +
                                std::to_string(in_features) + " and " + std::to_string(out_features));
  weight = register_parameter("weight", init::kaiming_uniform({out_features, in_features}, rng, dtype, std::sqrt(5.0)));
  if (options.bias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    bias = register_parameter("bias", Tensor::uniform({out_features}, -bound, bound, rng, dtype));
  }
}

Tensor Linear::forward(const Tensor& x) const {
  if (x.dim() == 0 || x.size(-1) != in_features_)
    throw std::invalid_argument("Linear: input of shape " + to_string(x.shape()) + " does not end in in_features " +
                                std::to_string(in_features_));
  if (fused_kernels()) return linear(x, weight, bias);  // core/ops/linear.cpp: one gemm, bias fused in
  if (x.dim() == 1) return reshape(forward(reshape(x, {1, in_features_})), {out_features_});  // a vector: one row
  const Tensor y = matmul(x, transpose(weight, 0, 1));  // [..., in] x [in, out] -> [..., out]
  return bias.defined() ? y + bias : y;
}

}  // namespace recgrad
