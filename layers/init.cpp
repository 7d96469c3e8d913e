#include "layers/init.h"

#include <cmath>
#include <stdexcept>

namespace recgrad::init {

namespace {
struct Fans {
  std::size_t in, out;
};

// Fans of a [fan_out, fan_in] weight; other ranks have no agreed meaning here.
Fans fans(const Shape& shape, const char* init) {
  if (shape.size() != 2 || shape[0] == 0 || shape[1] == 0)
    throw std::invalid_argument(std::string("init::") + init + ": needs a non-empty [fan_out, fan_in] shape, got " +
                                to_string(shape));
  return {shape[1], shape[0]};
}

double leaky_relu_gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }
}  // namespace

Tensor xavier_uniform(const Shape& shape, Rng& rng, DType dtype, double gain) {
  const Fans f = fans(shape, "xavier_uniform");
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(f.in + f.out));
  return Tensor::uniform(shape, -bound, bound, rng, dtype);
}

Tensor kaiming_uniform(const Shape& shape, Rng& rng, DType dtype, double a) {
  const Fans f = fans(shape, "kaiming_uniform");
  const double bound = leaky_relu_gain(a) * std::sqrt(3.0 / static_cast<double>(f.in));
  return Tensor::uniform(shape, -bound, bound, rng, dtype);
}

Tensor kaiming_normal(const Shape& shape, Rng& rng, DType dtype, double a) {
  const Fans f = fans(shape, "kaiming_normal");
  return normal(shape, 0.0, leaky_relu_gain(a) / std::sqrt(static_cast<double>(f.in)), rng, dtype);
}

Tensor normal(const Shape& shape, double mean, double std, Rng& rng, DType dtype) {
  if (!(std >= 0)) throw std::invalid_argument("init::normal: std must be >= 0, got " + std::to_string(std));
  std::vector<double> values(numel(shape));
  for (double& v : values) v = rng.normal(mean, std);
  return Tensor::from_vector(shape, values, dtype);
}

EmbeddingInit::Kind parse_embedding_init_kind(const std::string& name) {
  if (name == "normal") return EmbeddingInit::Kind::Normal;
  if (name == "uniform") return EmbeddingInit::Kind::Uniform;
  if (name == "xavier") return EmbeddingInit::Kind::Xavier;
  throw std::invalid_argument("embedding init '" + name + "': expected \"normal\", \"uniform\" or \"xavier\"");
}

std::string embedding_init_kind_name(EmbeddingInit::Kind kind) {
  switch (kind) {
    case EmbeddingInit::Kind::Normal: return "normal";
    case EmbeddingInit::Kind::Uniform: return "uniform";
    case EmbeddingInit::Kind::Xavier: return "xavier";
  }
  throw std::logic_error("embedding_init_kind_name: unknown kind");
}

Tensor embedding_table(std::size_t rows, std::size_t dim, const EmbeddingInit& init, Rng& rng, DType dtype) {
  switch (init.kind) {
    case EmbeddingInit::Kind::Normal: {
      if (!(init.std >= 0)) throw std::invalid_argument("embedding_table: std must be >= 0, got " + std::to_string(init.std));
      Tensor table = Tensor::randn({rows, dim}, rng, dtype);
      dispatch(dtype, [&](auto zero) {
        using T = decltype(zero);
        T* v = table.mutable_data<T>();
        for (std::size_t i = 0; i < rows * dim; ++i) v[i] = T(v[i] * init.std);
      });
      return table;
    }
    case EmbeddingInit::Kind::Uniform:
      if (!(init.bound >= 0))
        throw std::invalid_argument("embedding_table: bound must be >= 0, got " + std::to_string(init.bound));
      return Tensor::uniform({rows, dim}, -init.bound, init.bound, rng, dtype);
    case EmbeddingInit::Kind::Xavier: return xavier_uniform({rows, dim}, rng, dtype);
  }
  throw std::logic_error("embedding_table: unknown kind");
}

}  // namespace recgrad::init
