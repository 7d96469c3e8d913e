#pragma once
// Linear: y = x Wᵀ + b, as torch.nn.Linear.
//   x [..., in] -> y [..., out];  weight [out, in];  bias [out] (undefined when options.bias is false)
// Two forms: the reference (fused_kernels() false) is the formula as written, matmul with the
// transposed weight plus a broadcast bias; the default runs the fused op `linear` (core/ops/linear.cpp),
// one gemm that takes Wᵀ as a flag and starts from the bias: no transposed copy of W, no broadcast
// add allocating a second output, and a column sum for the bias gradient.
// Init (torch's default): weight kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)),
// bias U(-1/sqrt(in), 1/sqrt(in)).
#include "core/random.h"
#include "layers/module.h"

namespace recgrad {

struct LinearOptions {
  bool bias = true;
};

class Linear : public Module {
 public:
  Linear(std::size_t in_features, std::size_t out_features, Rng& rng, DType dtype = DType::Float32,
         LinearOptions options = {});
  Tensor forward(const Tensor& x) const;

  std::size_t in_features() const { return in_features_; }
  std::size_t out_features() const { return out_features_; }

  Tensor weight, bias;

 private:
  std::size_t in_features_, out_features_;
};

}  // namespace recgrad
