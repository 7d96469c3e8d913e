#pragma once
// LayerNorm over the last axis, as torch.nn.LayerNorm(dim):
//   y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias,   x [..., dim] -> [..., dim]
// E and Var are taken per row over the last axis; Var is the biased (population) variance.
// Init: weight ones, bias zeros (torch's); without `affine` there are no parameters.
#include "layers/module.h"

namespace recgrad {

struct LayerNormOptions {
  double eps = 1e-5;
  bool affine = true;
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::size_t dim, DType dtype = DType::Float32, LayerNormOptions options = {});
  Tensor forward(const Tensor& x) const;

  Tensor weight, bias;  // [dim] each; undefined without affine

 private:
  std::size_t dim_;
  double eps_;
};

}  // namespace recgrad
