// The ops of core/ops.h as functions of the module, with the same names and arguments. Optional
// tensors (masks, biases) may be None; axes may be one int or a list.
#include "core/ops.h"
#include "python/bindings.h"

namespace recgrad::python {

namespace {

std::vector<int> axes_from(const py::object& axes) {
  if (py::isinstance<py::int_>(axes)) return {axes.cast<int>()};
  return axes.cast<std::vector<int>>();
}

std::vector<int> all_axes(const Tensor& x) {
  std::vector<int> axes(x.dim());
  for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = int(i);
  return axes;
}

}  // namespace

void bind_ops(py::module_& m) {
  // elementwise
  m.def("add", &add, py::arg("a"), py::arg("b"));
  m.def("sub", &sub, py::arg("a"), py::arg("b"));
  m.def("mul", &mul, py::arg("a"), py::arg("b"));
  m.def("div", &div, py::arg("a"), py::arg("b"));
  m.def("neg", &neg, py::arg("x"));
  m.def("add_scalar", &add_scalar, py::arg("x"), py::arg("s"));
  m.def("mul_scalar", &mul_scalar, py::arg("x"), py::arg("s"));
  m.def("pow", &pow, py::arg("x"), py::arg("exponent"));
  m.def("exp", &exp, py::arg("x"));
  m.def("log", &log, py::arg("x"));
  m.def("sqrt", &sqrt, py::arg("x"));
  m.def("sigmoid", &sigmoid, py::arg("x"));
  m.def("tanh", &tanh, py::arg("x"));
  m.def("relu", &relu, py::arg("x"));

  // products
  m.def("matmul", &matmul, py::arg("a"), py::arg("b"));
  m.def("head_scores", &head_scores, py::arg("query"), py::arg("keys"), py::arg("num_heads"), py::arg("scale"));
  m.def("head_mix", &head_mix, py::arg("weights"), py::arg("values"));
  m.def("linear", [](const Tensor& x, const Tensor& weight, const std::optional<Tensor>& bias) {
        return linear(x, weight, or_undefined(bias));
      }, py::arg("x"), py::arg("weight"), py::arg("bias") = py::none());

  // shape
  m.def("reshape", &reshape, py::arg("x"), py::arg("shape"));
  m.def("transpose", &transpose, py::arg("x"), py::arg("axis0"), py::arg("axis1"));
  m.def("permute", &permute, py::arg("x"), py::arg("axes"));
  m.def("concat", &concat, py::arg("tensors"), py::arg("axis"));
  m.def("slice", &slice, py::arg("x"), py::arg("axis"), py::arg("start"), py::arg("end"));
  m.def("split", &split, py::arg("x"), py::arg("sizes"), py::arg("axis"));

  // reductions: axes None means all of them
  m.def("sum", [](const Tensor& x, const py::object& axes, bool keepdims) {
        return axes.is_none() && !keepdims ? sum(x) : sum(x, axes.is_none() ? all_axes(x) : axes_from(axes), keepdims);
      }, py::arg("x"), py::arg("axes") = py::none(), py::arg("keepdims") = false);
  m.def("mean", [](const Tensor& x, const py::object& axes, bool keepdims) {
        return axes.is_none() && !keepdims ? mean(x) : mean(x, axes.is_none() ? all_axes(x) : axes_from(axes), keepdims);
      }, py::arg("x"), py::arg("axes") = py::none(), py::arg("keepdims") = false);
  m.def("max", &max, py::arg("x"), py::arg("axis"), py::arg("keepdims") = false);

  // softmax and selection
  m.def("softmax", [](const Tensor& x, int axis, const std::optional<Tensor>& mask) {
        return softmax(x, axis, or_undefined(mask));
      }, py::arg("x"), py::arg("axis"), py::arg("mask") = py::none());
  m.def("log_softmax", [](const Tensor& x, int axis, const std::optional<Tensor>& mask) {
        return log_softmax(x, axis, or_undefined(mask));
      }, py::arg("x"), py::arg("axis"), py::arg("mask") = py::none());
  m.def("where", &where, py::arg("cond"), py::arg("a"), py::arg("b"));
  m.def("masked_fill", &masked_fill, py::arg("x"), py::arg("mask"), py::arg("value"));
  m.def("padding_mask", [](const std::vector<std::size_t>& lengths, std::size_t T, const py::object& dtype) {
        return padding_mask(lengths, T, dtype_from(dtype));
      }, py::arg("lengths"), py::arg("T"), py::arg("dtype") = "float32");
  m.def("gather_rows", [](const Tensor& table, const py::object& indices, std::int64_t padding_idx) {
        Shape index_shape;
        const std::vector<std::int64_t> flat = indices_from(indices, &index_shape);
        return gather_rows(table, flat, index_shape, padding_idx);
      }, py::arg("table"), py::arg("indices"), py::arg("padding_idx") = -1,
      "table [N, D], integer indices of any shape S -> [*S, D].");

  // fused kernels
  m.def("prelu", &prelu, py::arg("x"), py::arg("weight"));
  m.def("din_pair_linear", [](const Tensor& query, const Tensor& keys, const py::object& query_rows,
                              const py::object& key_rows, const Tensor& weight, const std::optional<Tensor>& bias) {
        return din_pair_linear(query, keys, indices_from(query_rows), indices_from(key_rows), weight, or_undefined(bias));
      }, py::arg("query"), py::arg("keys"), py::arg("query_rows"), py::arg("key_rows"), py::arg("weight"),
      py::arg("bias") = py::none());
  m.def("dice", [](const Tensor& x, const Tensor& alpha, double eps, const std::optional<Tensor>& mean,
                   const std::optional<Tensor>& var) {
        if (mean.has_value() != var.has_value()) throw std::invalid_argument("dice: give both mean and var, or neither");
        return mean ? dice(x, alpha, *mean, *var, eps) : dice(x, alpha, eps);
      }, py::arg("x"), py::arg("alpha"), py::arg("eps") = 1e-8, py::arg("mean") = py::none(),
      py::arg("var") = py::none(), "With mean and var: fixed statistics (eval); without: the batch's.");

  // loss
  m.def("bce_with_logits", &bce_with_logits, py::arg("logits"), py::arg("targets"));
}

}  // namespace recgrad::python
