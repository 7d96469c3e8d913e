#include "layers/item_embedding.h"

#include <stdexcept>

#include "core/ops.h"

namespace recgrad {

ItemEmbedding::ItemEmbedding(const std::vector<ItemField>& fields, FieldCombine combine, Rng& rng, DType dtype)
    : combine_(combine) {
  if (fields.empty()) throw std::invalid_argument("ItemEmbedding: needs at least the id field");
  for (const ItemField& field : fields) {
    if (combine != FieldCombine::Concat && field.dim != fields[0].dim)
      throw std::invalid_argument("ItemEmbedding: sum and eges need equal field dims, but field \"" + field.name +
                                  "\" has " + std::to_string(field.dim) + " and \"" + fields[0].name + "\" has " +
                                  std::to_string(fields[0].dim));
    tables_.push_back(
        register_module(field.name, std::make_shared<Embedding>(field.num_embeddings, field.dim, rng, dtype)));
    dim_ = combine == FieldCombine::Concat ? dim_ + field.dim : field.dim;
  }
  if (combine == FieldCombine::Eges)
    field_weights =
        register_parameter("field_weights", Tensor::zeros({fields[0].num_embeddings, fields.size()}, dtype));
}

Tensor ItemEmbedding::forward(const std::vector<std::vector<std::int64_t>>& field_indices,
                              const Shape& index_shape) const {
  if (field_indices.size() != tables_.size())
    throw std::invalid_argument("ItemEmbedding: got indices for " + std::to_string(field_indices.size()) +
                                " fields, expected " + std::to_string(tables_.size()));
  std::vector<Tensor> vectors;  // one [*index_shape, D_f] per field
  for (std::size_t f = 0; f < tables_.size(); ++f)
    vectors.push_back(tables_[f]->forward(field_indices[f], index_shape));
  if (combine_ == FieldCombine::Concat) return concat(vectors, -1);
  if (combine_ == FieldCombine::Sum) {
    Tensor total = vectors[0];
    for (std::size_t f = 1; f < vectors.size(); ++f) total = total + vectors[f];
    return total;
  }
  // eges: stack the fields on a new axis and weight them by the item's softmaxed field weights.
  const std::size_t F = tables_.size();
  Shape stacked_shape = index_shape, weight_shape = index_shape;
  stacked_shape.insert(stacked_shape.end(), {1, dim_});
  weight_shape.insert(weight_shape.end(), {F, 1});
  for (Tensor& v : vectors) v = reshape(v, stacked_shape);  // [*, 1, D]
  const Tensor stacked = concat(vectors, -2);               // [*, F, D]
  // weights: [*, F], softmax over the fields of the item's row of field_weights
  const Tensor weights = softmax(gather_rows(field_weights, field_indices[0], index_shape, 0), -1);
  return sum(reshape(weights, weight_shape) * stacked, {-2});  // [*, D]
}

}  // namespace recgrad
