#pragma once
// Initial values for parameters, drawn from the caller's Rng so a seed fixes the whole model.
// Weights of Linear-like layers have shape [fan_out, fan_in], as torch.nn.Linear's.
//
// Which layer uses which (stated again in each layer's header):
//   Linear            weight kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), bias the same
//                     bound (torch.nn.Linear's default)
//   Embedding         N(0, 1), padding row zero (torch.nn.Embedding's default)
//   PositionEmbedding learned table N(0, 1), as an Embedding without padding
//   LayerNorm         weight ones, bias zeros;  PReLU slope 0.25;  Dice alpha zeros
// Zeros, ones and N(0, 1) are Tensor::zeros / Tensor::ones / Tensor::randn.
#include "core/random.h"
#include "core/tensor.h"

namespace recgrad::init {

// U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).
Tensor xavier_uniform(const Shape& shape, Rng& rng, DType dtype = DType::Float32, double gain = 1.0);

// U(-bound, bound) with bound = sqrt(2 / (1 + a²)) * sqrt(3 / fan_in) (He et al., 2015; `a` is the
// negative slope of the leaky ReLU that follows). a = sqrt(5) gives torch.nn.Linear's 1/sqrt(fan_in).
Tensor kaiming_uniform(const Shape& shape, Rng& rng, DType dtype = DType::Float32, double a = 0.0);

// N(0, std²) with std = sqrt(2 / (1 + a²)) / sqrt(fan_in).
Tensor kaiming_normal(const Shape& shape, Rng& rng, DType dtype = DType::Float32, double a = 0.0);

// N(mean, std²).
Tensor normal(const Shape& shape, double mean, double std, Rng& rng, DType dtype = DType::Float32);

}  // namespace recgrad::init
