#pragma once
// Initial values for parameters, drawn from the caller's Rng so a seed fixes the whole model.
// Weights of Linear-like layers have shape [fan_out, fan_in], as torch.nn.Linear's.
//
// Which layer uses which (stated again in each layer's header):
//   Linear            weight kaiming_uniform(a = sqrt(5)) = U(-1/sqrt(in), 1/sqrt(in)), bias the same
//                     bound (torch.nn.Linear's default)
//   Embedding         embedding_table (default N(0, 0.01²)), padding row zero
//   PositionEmbedding learned table: embedding_table, as an Embedding without padding
//   LayerNorm         weight ones, bias zeros;  PReLU slope 0.25;  Dice alpha zeros
// Zeros, ones and N(0, 1) are Tensor::zeros / Tensor::ones / Tensor::randn.
#include <string>

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

// How an embedding table [rows, dim] starts (model.embedding_init). torch.nn.Embedding's N(0, 1) makes
// random vectors of norm sqrt(dim) that Adam at lr 1e-3 hardly moves, so on real data they swamp what
// the model learns; small values let the data decide (docs/real-data.md has the measurements).
struct EmbeddingInit {
  enum class Kind { Normal, Uniform, Xavier };
  Kind kind = Kind::Normal;
  double std = 0.01;    // Normal: N(0, std²)
  double bound = 0.05;  // Uniform: U(-bound, bound)
  // Xavier: U(-b, b), b = sqrt(6 / (rows + dim)), as torch.nn.init.xavier_uniform_ on the table.
};

EmbeddingInit::Kind parse_embedding_init_kind(const std::string& name);  // "normal" | "uniform" | "xavier"
std::string embedding_init_kind_name(EmbeddingInit::Kind kind);

// A [rows, dim] table drawn by `init`, straight into its storage (no float64 staging copy: for a
// 1e6-row table that copy would double the peak memory of building the model).
Tensor embedding_table(std::size_t rows, std::size_t dim, const EmbeddingInit& init, Rng& rng,
                       DType dtype = DType::Float32);

}  // namespace recgrad::init
