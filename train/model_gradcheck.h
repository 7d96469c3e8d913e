#pragma once
// `recgrad gradcheck CONFIG`: the float64 gradient check of a config's whole click model, every
// parameter at once, at tiny sizes (so central differences stay affordable) on a hand-made batch
// with histories of different lengths, one of them empty.
#include "core/gradcheck.h"
#include "train/config.h"

namespace recgrad {

struct ModelGradcheck {
  GradcheckResult result;
  std::size_t tensors = 0, scalars = 0;  // parameters checked
};

// Shrinks the model section (embedding_dim, hidden sizes) while keeping its structure (attention kind,
// heads, side info, position, self-attention, activations); dropout is set to 0 so the function is
// deterministic.
ModelGradcheck gradcheck_model(const RunConfig& config);

}  // namespace recgrad
