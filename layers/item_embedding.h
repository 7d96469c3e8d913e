#pragma once
// ItemEmbedding: an item is its id plus side information (category, brand, shop, ...), each field
// with its own Embedding table (sub-modules named after the fields: "id.weight", "category.weight").
// The target item [B] and the history [B, T] go through the same tables, so a clicked item and a
// candidate share one representation.
//
// Combining the F field vectors e_1..e_F of an item (fields[0] is the item id):
//   concat  [e_1, ..., e_F]                     dim = sum of the field dims
//   sum     e_1 + ... + e_F                     all field dims equal; dim = that
//   eges    sum_j softmax(a_v)_j * e_j          (Wang et al., 2018, Alibaba's EGES) where a_v [F] is
//           a learned row of "field_weights" [num_items, F] indexed by the item's id v, so each item
//           learns how much to trust each kind of side information; dim = the common field dim.
//           field_weights start at zero: every item begins with the plain average of its fields.
// Index 0 pads every field (its rows are zero and get no gradient): a padded history position should
// carry 0 in all fields, which makes its output vector zero in every mode.
//
// Multi-valued side info (a movie's genres "Comedy|Drama"): a field of width W > 1 gives each item W
// indices x_1..x_W, its values then padding 0, and e_f is the MEAN of the rows of its non-padding values,
//   e_f = sum_k w_k E_f[x_k],  w_k = [x_k != 0] / #{k : x_k != 0}     gather [*, W, D_f] -> sum over W
// (all w_k = 0 for an item of padding only, a padded history slot: the zero vector). The id field
// (fields[0], whose row EGES weights follow) is always single-valued.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/embedding.h"

namespace recgrad {

struct ItemField {
  std::string name;            // "id" for the item id, then the side-info names
  std::size_t num_embeddings;  // vocabulary size including the padding index 0
  std::size_t dim;
};

enum class FieldCombine { Concat, Sum, Eges };
const std::vector<std::string>& field_combine_names();      // "concat", "sum", "eges"
FieldCombine parse_field_combine(const std::string& name);  // throws naming the valid names
const std::string& field_combine_name(FieldCombine combine);

class ItemEmbedding : public Module {
 public:
  ItemEmbedding(const std::vector<ItemField>& fields, FieldCombine combine, Rng& rng, DType dtype = DType::Float32,
                const init::EmbeddingInit& table_init = {});

  // field_indices[f]: the indices of field f, row-major with shape [*index_shape, widths[f]] (the
  // index_shape is the same for every field) -> [*index_shape, dim()]. widths [fields]: the values per
  // item of each field, widths[0] = 1; empty means every field single-valued ([*index_shape]).
  Tensor forward(const std::vector<std::vector<std::int64_t>>& field_indices, const Shape& index_shape,
                 const std::vector<std::size_t>& widths = {}) const;

  std::size_t dim() const { return dim_; }
  std::size_t num_fields() const { return tables_.size(); }

  Tensor field_weights;  // eges only: [num_items, num_fields]

 private:
  std::vector<std::shared_ptr<Embedding>> tables_;
  FieldCombine combine_;
  std::size_t dim_ = 0;
};

}  // namespace recgrad
