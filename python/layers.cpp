// The layers in Python. Every module lists its named parameters and reads or writes each as a NumPy
// array by its dotted name (`layer["q_proj.weight"] = w`), so a learner can set a weight and re-run.
// Attention layers return (output, weights) as in C++; optional masks may be None.
#include <stdexcept>

#include "layers/activations.h"
#include "layers/additive_attention.h"
#include "layers/din_attention.h"
#include "layers/dot_attention.h"
#include "layers/embedding.h"
#include "layers/item_embedding.h"
#include "layers/linear.h"
#include "layers/mean_pooling.h"
#include "layers/mlp.h"
#include "layers/multi_head_attention.h"
#include "layers/position_embedding.h"
#include "layers/scaled_dot_attention.h"
#include "models/click_model.h"
#include "python/bindings.h"

namespace recgrad::python {

namespace {

// The parameter or buffer called `name`; a KeyError naming what the module has otherwise.
Tensor named_tensor(const Module& module, const std::string& name) {
  std::string known;
  for (const NamedTensors& list : {module.named_parameters(), module.named_buffers()})
    for (const auto& [n, t] : list) {
      if (n == name) return t;
      known += (known.empty() ? "" : ", ") + n;
    }
  throw py::key_error("no parameter or buffer \"" + name + "\" (the module has: " + known + ")");
}

void set_named_tensor(Module& module, const std::string& name, const py::object& array) {
  Tensor target = named_tensor(module, name);
  const Tensor values = from_numpy(array, numpy_dtype(target.dtype()));
  if (values.shape() != target.shape())
    throw std::invalid_argument("\"" + name + "\" has shape " + to_string(target.shape()) + ", got an array of shape " +
                                to_string(values.shape()));
  target.copy_from(values);
}

py::dict state_dict(const Module& module) {
  py::dict out;
  for (const NamedTensors& list : {module.named_parameters(), module.named_buffers()})
    for (const auto& [name, t] : list) out[py::str(name)] = to_numpy(t);
  return out;
}

PositionEmbeddingOptions position_options(const std::string& kind, const std::string& combine) {
  PositionEmbeddingOptions options;
  options.kind = parse_position_kind(kind);
  if (combine != "add" && combine != "concat")
    throw std::invalid_argument("PositionEmbedding: combine must be \"add\" or \"concat\", got \"" + combine + "\"");
  options.combine = combine == "add" ? PositionCombine::Add : PositionCombine::Concat;
  return options;
}

// ItemEmbedding's inputs: one integer array per field, all of field 0's shape S, or S + [W] for a
// field with W values per item.
Tensor item_embedding_forward(const ItemEmbedding& items, const std::vector<py::object>& fields) {
  if (fields.size() != items.num_fields())
    throw std::invalid_argument("ItemEmbedding: " + std::to_string(items.num_fields()) + " fields, got " +
                                std::to_string(fields.size()) + " index arrays");
  Shape index_shape;
  std::vector<std::vector<std::int64_t>> indices;
  std::vector<std::size_t> widths;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    Shape shape;
    indices.push_back(indices_from(fields[f], &shape));
    if (f == 0) index_shape = shape;
    const bool multi = shape.size() == index_shape.size() + 1 && Shape(shape.begin(), shape.end() - 1) == index_shape;
    if (shape != index_shape && !multi)
      throw std::invalid_argument("ItemEmbedding: field " + std::to_string(f) + " has indices of shape " +
                                  to_string(shape) + ", expected " + to_string(index_shape) + " or that plus [W]");
    widths.push_back(multi ? shape.back() : 1);
  }
  return items.forward(indices, index_shape, widths);
}

}  // namespace

void bind_layers(py::module_& m) {
  py::class_<Module, std::shared_ptr<Module>>(m, "Module")
      .def("named_parameters", &Module::named_parameters, "[(dotted name, Tensor)] in registration order")
      .def("parameters", &Module::parameters)
      .def("named_buffers", &Module::named_buffers)
      .def("parameter_count", &Module::parameter_count)
      .def("__getitem__", &named_tensor, py::arg("name"))  // the Tensor itself: .numpy(), .grad
      .def("__setitem__", &set_named_tensor, py::arg("name"), py::arg("values"), "Copies the values in (same shape).")
      .def("state_dict", &state_dict, "{dotted name: NumPy copy} of every parameter and buffer")
      .def("train", &Module::train, py::arg("on") = true)
      .def("eval", &Module::eval)
      .def_property_readonly("training", &Module::is_training)
      .def("set_fused_kernels", &Module::set_fused_kernels, py::arg("on"))
      .def_property_readonly("fused_kernels", &Module::fused_kernels)
      .def("to", [](Module& module, const py::object& dtype) { module.to(dtype_from(dtype)); }, py::arg("dtype"));

  py::class_<Linear, Module, std::shared_ptr<Linear>>(m, "Linear")
      .def(py::init([](std::size_t in_features, std::size_t out_features, Rng& rng, const py::object& dtype, bool bias) {
             return std::make_shared<Linear>(in_features, out_features, rng, dtype_from(dtype), LinearOptions{bias});
           }), py::arg("in_features"), py::arg("out_features"), py::arg("rng"), py::arg("dtype") = "float32",
           py::arg("bias") = true)
      .def("forward", &Linear::forward, py::arg("x"));

  py::class_<Activation, Module, std::shared_ptr<Activation>>(m, "Activation")
      .def("forward", &Activation::forward, py::arg("x"));
  py::class_<ReLU, Activation, std::shared_ptr<ReLU>>(m, "ReLU").def(py::init<>());
  py::class_<Sigmoid, Activation, std::shared_ptr<Sigmoid>>(m, "Sigmoid").def(py::init<>());
  py::class_<PReLU, Activation, std::shared_ptr<PReLU>>(m, "PReLU")
      .def(py::init([](std::size_t num_parameters, const py::object& dtype, double init) {
             return std::make_shared<PReLU>(num_parameters, dtype_from(dtype), init);
           }), py::arg("num_parameters") = 1, py::arg("dtype") = "float32", py::arg("init") = 0.25);
  py::class_<Dice, Activation, std::shared_ptr<Dice>>(m, "Dice")
      .def(py::init([](std::size_t dim, const py::object& dtype, double eps, double momentum) {
             return std::make_shared<Dice>(dim, dtype_from(dtype), eps, momentum);
           }), py::arg("dim"), py::arg("dtype") = "float32", py::arg("eps") = 1e-8, py::arg("momentum") = 0.1);
  m.def("make_activation", [](const std::string& name, std::size_t dim, const py::object& dtype) {
        return make_activation(name, dim, dtype_from(dtype));
      }, py::arg("name"), py::arg("dim"), py::arg("dtype") = "float32");

  py::class_<MLP, Module, std::shared_ptr<MLP>>(m, "MLP")
      .def(py::init([](const std::vector<std::size_t>& sizes, const std::string& activation, double dropout, Rng& rng,
                       const py::object& dtype) {
             return std::make_shared<MLP>(sizes, activation, dropout, rng, dtype_from(dtype));
           }), py::arg("sizes"), py::arg("activation"), py::arg("dropout"), py::arg("rng"), py::arg("dtype") = "float32")
      .def("forward", &MLP::forward, py::arg("x"));

  py::class_<Embedding, Module, std::shared_ptr<Embedding>>(m, "Embedding")
      .def(py::init([](std::size_t num_embeddings, std::size_t dim, Rng& rng, const py::object& dtype,
                       std::int64_t padding_idx) {
             return std::make_shared<Embedding>(num_embeddings, dim, rng, dtype_from(dtype), padding_idx);
           }), py::arg("num_embeddings"), py::arg("dim"), py::arg("rng"), py::arg("dtype") = "float32",
           py::arg("padding_idx") = 0)
      .def("forward", [](const Embedding& e, const py::object& indices) {
             Shape shape;
             const std::vector<std::int64_t> flat = indices_from(indices, &shape);
             return e.forward(flat, shape);
           }, py::arg("indices"), "integer indices of any shape S -> [*S, dim]");

  py::class_<ItemEmbedding, Module, std::shared_ptr<ItemEmbedding>>(m, "ItemEmbedding")
      .def(py::init([](const std::vector<std::tuple<std::string, std::size_t, std::size_t>>& fields,
                       const std::string& combine, Rng& rng, const py::object& dtype) {
             std::vector<ItemField> item_fields;
             for (const auto& [name, n, dim] : fields) item_fields.push_back({name, n, dim});
             return std::make_shared<ItemEmbedding>(item_fields, parse_field_combine(combine), rng, dtype_from(dtype));
           }), py::arg("fields"), py::arg("combine"), py::arg("rng"), py::arg("dtype") = "float32",
           "fields: [(name, num_embeddings, dim)], the item id first; combine: concat, sum or eges")
      .def("forward", &item_embedding_forward, py::arg("field_indices"),
           "one integer array per field, of shape S (or S + [W] for W values per item) -> [*S, dim]")
      .def_property_readonly("dim", &ItemEmbedding::dim);

  py::class_<PositionEmbedding, Module, std::shared_ptr<PositionEmbedding>>(m, "PositionEmbedding")
      .def(py::init([](std::size_t max_len, std::size_t dim, Rng& rng, const py::object& dtype, const std::string& kind,
                       const std::string& combine) {
             return std::make_shared<PositionEmbedding>(max_len, dim, rng, dtype_from(dtype), position_options(kind, combine));
           }), py::arg("max_len"), py::arg("dim"), py::arg("rng"), py::arg("dtype") = "float32",
           py::arg("kind") = "learned", py::arg("combine") = "add")
      .def("forward", &PositionEmbedding::forward, py::arg("history"),
           py::arg("time_gaps") = std::vector<std::int64_t>{}, "time_gaps: [B * T] seconds, for kind time_gap");

  // Attention: every kind derives from Attention, whose forward takes query [B, Tq, D], keys [B, T, D],
  // values [B, T, Dv] and key_padding_mask [B, T] or None, and returns (output, weights).
  const AttentionOptions defaults;
  py::class_<Attention, Module, std::shared_ptr<Attention>>(m, "Attention")
      .def("forward", [](Attention& a, const Tensor& query, const Tensor& keys, const Tensor& values,
                         const std::optional<Tensor>& mask) {
             const AttentionOutput out = a.forward(query, keys, values, or_undefined(mask));
             return std::make_pair(out.output, out.weights);
           }, py::arg("query"), py::arg("keys"), py::arg("values"), py::arg("key_padding_mask") = py::none());
  py::class_<MeanPooling, Attention, std::shared_ptr<MeanPooling>>(m, "MeanPooling").def(py::init<>());
  py::class_<DotProductAttention, Attention, std::shared_ptr<DotProductAttention>>(m, "DotProductAttention")
      .def(py::init<bool>(), py::arg("softmax") = defaults.softmax);
  py::class_<ScaledDotProductAttention, Attention, std::shared_ptr<ScaledDotProductAttention>>(
      m, "ScaledDotProductAttention")
      .def(py::init<>());
  py::class_<DinAttention, Attention, std::shared_ptr<DinAttention>>(m, "DinAttention")
      .def(py::init([](std::size_t dim, Rng& rng, const py::object& dtype, bool softmax,
                       const std::vector<std::size_t>& hidden, const std::string& activation) {
             AttentionOptions options;
             options.kind = AttentionKind::Din;
             options.softmax = softmax;
             options.din_hidden = hidden;
             options.din_activation = activation;
             return std::make_shared<DinAttention>(dim, rng, dtype_from(dtype), options);
           }), py::arg("dim"), py::arg("rng"), py::arg("dtype") = "float32", py::arg("softmax") = defaults.softmax,
           py::arg("hidden") = defaults.din_hidden, py::arg("activation") = defaults.din_activation)
      .def_readonly("mlp", &DinAttention::mlp);
  py::class_<MultiHeadAttention, Attention, std::shared_ptr<MultiHeadAttention>>(m, "MultiHeadAttention")
      .def(py::init([](std::size_t embed_dim, std::size_t num_heads, Rng& rng, const py::object& dtype, bool bias) {
             return std::make_shared<MultiHeadAttention>(embed_dim, num_heads, rng, dtype_from(dtype),
                                                         MultiHeadAttentionOptions{bias});
           }), py::arg("embed_dim"), py::arg("num_heads"), py::arg("rng"), py::arg("dtype") = "float32",
           py::arg("bias") = true)
      .def_property_readonly("head_dim", &MultiHeadAttention::head_dim)
      .def_readonly("q_proj", &MultiHeadAttention::q_proj)
      .def_readonly("k_proj", &MultiHeadAttention::k_proj)
      .def_readonly("v_proj", &MultiHeadAttention::v_proj)
      .def_readonly("out_proj", &MultiHeadAttention::out_proj);
  py::class_<AdditiveAttention, Attention, std::shared_ptr<AdditiveAttention>>(m, "AdditiveAttention")
      .def(py::init([](std::size_t dim, Rng& rng, const py::object& dtype) {
             return std::make_shared<AdditiveAttention>(dim, rng, dtype_from(dtype));
           }), py::arg("dim"), py::arg("rng"), py::arg("dtype") = "float32")
      .def_readonly("query_proj", &AdditiveAttention::query_proj)
      .def_readonly("key_proj", &AdditiveAttention::key_proj);
  m.def("attention_kind_names", &attention_kind_names);
  m.def("make_attention", [](const std::string& kind, std::size_t dim, Rng& rng, const py::object& dtype, bool softmax,
                             std::size_t heads, const std::vector<std::size_t>& din_hidden,
                             const std::string& din_activation) {
        return make_attention(AttentionOptions{parse_attention_kind(kind), softmax, heads, din_hidden, din_activation},
                              dim, rng, dtype_from(dtype));
      }, py::arg("kind"), py::arg("dim"), py::arg("rng"), py::arg("dtype") = "float32",
      py::arg("softmax") = defaults.softmax, py::arg("heads") = defaults.heads,
      py::arg("din_hidden") = defaults.din_hidden, py::arg("din_activation") = defaults.din_activation,
      "The attention layer of one kind, as the config's model.attention section builds it.");

  py::class_<ClickModel, Module, std::shared_ptr<ClickModel>>(m, "ClickModel");
}

}  // namespace recgrad::python
