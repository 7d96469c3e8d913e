#include "layers/dropout.h"

#include <stdexcept>
#include <vector>

#include "core/ops.h"

namespace recgrad {

Dropout::Dropout(double p, std::uint64_t seed) : p_(p), rng_(seed) {
  if (!(p >= 0 && p < 1)) throw std::invalid_argument("Dropout: p must be in [0, 1), got " + std::to_string(p));
}

// y = x * mask / (1 - p), mask_i ~ Bernoulli(1 - p);  dx = dy * mask / (1 - p) through mul
Tensor Dropout::forward(const Tensor& x) {
  if (!is_training() || p_ == 0) return x;
  const double keep_scale = 1.0 / (1.0 - p_);
  std::vector<double> mask(x.numel());
  for (double& m : mask) m = rng_.uniform() < p_ ? 0.0 : keep_scale;
  return x * Tensor::from_vector(x.shape(), mask, x.dtype());
}

}  // namespace recgrad
