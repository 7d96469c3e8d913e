#pragma once
// MLP: a stack of Linear layers with an activation (and optional dropout) between them, not after
// the last, so the output is free to be a logit or a score.
//   sizes {in, h1, ..., out}:  x [..., in] -> Linear -> act -> dropout -> ... -> Linear -> [..., out]
// Parameters "layers.0.weight", "layers.0.bias", ...; learned activations add "activations.<i>.*".
// Linear layers use torch.nn.Linear's init; dropout layers are seeded from `rng`.
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/activations.h"
#include "layers/dropout.h"
#include "layers/linear.h"

namespace recgrad {

class MLP : public Module {
 public:
  // activation: a name for make_activation ("relu", "sigmoid", "prelu", "dice"); dropout in [0, 1).
  MLP(const std::vector<std::size_t>& sizes, const std::string& activation, double dropout, Rng& rng,
      DType dtype = DType::Float32);
  Tensor forward(const Tensor& x);  // not const: dropout draws and Dice statistics change state
  // forward(x) = forward_after_first(first_layer().forward(x)): for a caller that computes the first
  // Linear its own way (DinAttention's factored unit) and runs the rest of the stack on its output.
  const Linear& first_layer() const { return *layers_.front(); }
  Tensor forward_after_first(const Tensor& first_output);

  std::size_t in_features() const { return layers_.front()->in_features(); }
  std::size_t out_features() const { return layers_.back()->out_features(); }

 private:
  std::vector<std::shared_ptr<Linear>> layers_;
  std::vector<std::shared_ptr<Activation>> activations_;  // one fewer than layers_
  std::vector<std::shared_ptr<Dropout>> dropouts_;        // empty when dropout is 0
};

}  // namespace recgrad
