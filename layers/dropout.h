#pragma once
// Dropout (inverted): in training each element is zeroed with probability p and the survivors are
// scaled by 1 / (1 - p), so the expected value is unchanged and eval needs no rescaling; in eval it
// is the identity. The layer owns its Rng, seeded at construction, so a run is reproducible and
// dropout draws do not shift the model's other random streams.
//   x [...] -> [...]
#include <cstdint>

#include "core/random.h"
#include "layers/module.h"

namespace recgrad {

class Dropout : public Module {
 public:
  Dropout(double p, std::uint64_t seed);  // p in [0, 1)
  Tensor forward(const Tensor& x);        // not const: draws from the layer's Rng
  double p() const { return p_; }
  Rng& rng() { return rng_; }  // checkpoints save its state, so a resumed run draws the same masks

 private:
  double p_;
  Rng rng_;
};

}  // namespace recgrad
