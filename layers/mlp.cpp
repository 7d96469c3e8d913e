#include "layers/mlp.h"

#include <stdexcept>

namespace recgrad {

MLP::MLP(const std::vector<std::size_t>& sizes, const std::string& activation, double dropout, Rng& rng, DType dtype) {
  if (sizes.size() < 2)
    throw std::invalid_argument("MLP: sizes needs at least {in, out}, got " + std::to_string(sizes.size()) +
                                " entries");
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    const std::string index = std::to_string(i);
    layers_.push_back(register_module("layers." + index, std::make_shared<Linear>(sizes[i], sizes[i + 1], rng, dtype)));
    if (i + 2 == sizes.size()) break;  // nothing after the last layer
    activations_.push_back(register_module("activations." + index, make_activation(activation, sizes[i + 1], dtype)));
    if (dropout != 0)
      dropouts_.push_back(register_module("dropouts." + index, std::make_shared<Dropout>(dropout, rng.next())));
  }
}

Tensor MLP::forward(const Tensor& x) { return forward_after_first(layers_[0]->forward(x)); }

Tensor MLP::forward_after_first(const Tensor& first_output) {
  Tensor h = first_output;
  for (std::size_t i = 1; i < layers_.size(); ++i) {
    h = activations_[i - 1]->forward(h);
    if (!dropouts_.empty()) h = dropouts_[i - 1]->forward(h);
    h = layers_[i]->forward(h);
  }
  return h;
}

}  // namespace recgrad
