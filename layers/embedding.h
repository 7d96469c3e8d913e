#pragma once
// Embedding: a learned table of vectors, one row per id, looked up by index (torch.nn.Embedding).
//   indices (row-major, shape index_shape) -> [*index_shape, dim];  weight [num_embeddings, dim]
// Row `padding_idx` (default 0, the id that pads short histories) is zero at init and never gets a
// gradient, so a padded position stays a zero vector however long the model trains; -1 means no
// padding row. The backward writes only the rows a batch used (Tensor::grad_rows) and stores only
// those (no dense [num_embeddings, dim] gradient), which lets an optimizer skip the rest of a large table.
// Init: init::embedding_table (default N(0, 0.01²), not torch's N(0, 1): layers/init.h says why),
// then the padding row set to zero.
#include <cstdint>
#include <vector>

#include "core/random.h"
#include "layers/init.h"
#include "layers/module.h"

namespace recgrad {

class Embedding : public Module {
 public:
  Embedding(std::size_t num_embeddings, std::size_t dim, Rng& rng, DType dtype = DType::Float32,
            std::int64_t padding_idx = 0, const init::EmbeddingInit& table_init = {});
  Tensor forward(const std::vector<std::int64_t>& indices, const Shape& index_shape) const;

  std::size_t num_embeddings() const { return weight.size(0); }
  std::size_t dim() const { return weight.size(1); }
  std::int64_t padding_idx() const { return padding_idx_; }

  Tensor weight;

 private:
  std::int64_t padding_idx_;
};

}  // namespace recgrad
