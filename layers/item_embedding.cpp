#include "layers/item_embedding.h"

#include <algorithm>
#include <stdexcept>

#include "core/ops.h"
#include "layers/enum_names.h"

namespace recgrad {

const std::vector<std::string>& field_combine_names() {
  static const std::vector<std::string> names{"concat", "sum", "eges"};
  return names;
}

FieldCombine parse_field_combine(const std::string& name) {
  return enum_of_name<FieldCombine>(field_combine_names(), name, "side-info combination");
}

const std::string& field_combine_name(FieldCombine combine) { return field_combine_names().at(std::size_t(combine)); }

ItemEmbedding::ItemEmbedding(const std::vector<ItemField>& fields, FieldCombine combine, Rng& rng, DType dtype,
                             const init::EmbeddingInit& table_init)
    : combine_(combine) {
  if (fields.empty()) throw std::invalid_argument("ItemEmbedding: needs at least the id field");
  for (const ItemField& field : fields) {
    if (combine != FieldCombine::Concat && field.dim != fields[0].dim)
      throw std::invalid_argument("ItemEmbedding: sum and eges need equal field dims, but field \"" + field.name +
                                  "\" has " + std::to_string(field.dim) + " and \"" + fields[0].name + "\" has " +
                                  std::to_string(fields[0].dim));
    tables_.push_back(
        register_module(field.name, std::make_shared<Embedding>(field.num_embeddings, field.dim, rng, dtype, 0, table_init)));
    dim_ = combine == FieldCombine::Concat ? dim_ + field.dim : field.dim;
  }
  if (combine == FieldCombine::Eges)
    field_weights =
        register_parameter("field_weights", Tensor::zeros({fields[0].num_embeddings, fields.size()}, dtype));
}

namespace {
// One field's vectors [*index_shape, D_f]: the row of each index when W = 1; otherwise the mean of the
// rows of each item's non-padding values among its W indices.
Tensor field_vectors(const Embedding& table, const std::vector<std::int64_t>& indices, const Shape& index_shape,
                     std::size_t W) {
  if (W == 1) return table.forward(indices, index_shape);
  Shape cell_shape = index_shape, weight_shape = index_shape;
  cell_shape.push_back(W);
  weight_shape.insert(weight_shape.end(), {W, 1});
  const Tensor rows = table.forward(indices, cell_shape);  // [*, W, D_f]
  // weights [*, W, 1]: 1 / count for each of an item's count non-padding values, 0 for padding, so an
  // all-padding item (a padded history slot) gets the zero vector, never 0 / 0
  std::vector<double> weights(indices.size(), 0.0);
  for (std::size_t first = 0; first < indices.size(); first += W) {
    const auto begin = indices.begin() + static_cast<std::ptrdiff_t>(first);
    const auto count = std::count_if(begin, begin + static_cast<std::ptrdiff_t>(W), [](std::int64_t i) { return i != 0; });
    for (std::size_t k = first; k < first + W; ++k)
      if (indices[k] != 0) weights[k] = 1.0 / static_cast<double>(count);
  }
  return sum(rows * Tensor::from_vector(weight_shape, weights, rows.dtype()), {-2});  // [*, D_f]
}
}  // namespace

Tensor ItemEmbedding::forward(const std::vector<std::vector<std::int64_t>>& field_indices, const Shape& index_shape,
                              const std::vector<std::size_t>& widths) const {
  if (field_indices.size() != tables_.size())
    throw std::invalid_argument("ItemEmbedding: got indices for " + std::to_string(field_indices.size()) +
                                " fields, expected " + std::to_string(tables_.size()));
  if (!widths.empty() && widths.size() != tables_.size())
    throw std::invalid_argument("ItemEmbedding: got widths for " + std::to_string(widths.size()) + " fields, expected " +
                                std::to_string(tables_.size()));
  if (!widths.empty() && widths[0] != 1)
    throw std::invalid_argument("ItemEmbedding: the id field must be single-valued (width 1), got width " +
                                std::to_string(widths[0]));
  std::vector<Tensor> vectors;  // one [*index_shape, D_f] per field
  for (std::size_t f = 0; f < tables_.size(); ++f) {
    const std::size_t W = widths.empty() ? 1 : widths[f];
    if (W == 0) throw std::invalid_argument("ItemEmbedding: field " + std::to_string(f) + " has width 0");
    vectors.push_back(field_vectors(*tables_[f], field_indices[f], index_shape, W));
  }
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
