// Tensor in Python: NumPy in and out, operators, autograd, and the tools around it (no_grad,
// gradcheck, to_dot). Names and arguments follow the C++ API and PyTorch where they agree.
#include <memory>

#include "core/gradcheck.h"
#include "core/graph_dot.h"
#include "core/ops.h"
#include "core/random.h"
#include "python/bindings.h"

namespace recgrad::python {

namespace {

// `with recgrad.no_grad():` holds a NoGradGuard for the block.
class NoGradContext {
 public:
  void enter() { guard_ = std::make_unique<NoGradGuard>(); }
  void exit() { guard_.reset(); }

 private:
  std::unique_ptr<NoGradGuard> guard_;
};

// A Python function of tensors, f(*inputs) -> Tensor, as gradcheck's std::function.
GradcheckResult gradcheck_python(const py::function& f, const std::vector<Tensor>& inputs, double eps, double atol,
                                 double rtol) {
  auto call = [&f](const std::vector<Tensor>& xs) { return f(*py::cast(xs)).cast<Tensor>(); };
  return gradcheck(call, inputs, GradcheckOptions{eps, atol, rtol});
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<Rng>(m, "Rng", "A seeded random engine; layers and randn draw from it, as in C++.")
      .def(py::init<std::uint64_t>(), py::arg("seed") = 0)
      .def("uniform", py::overload_cast<>(&Rng::uniform))
      .def("normal", &Rng::normal, py::arg("mean") = 0.0, py::arg("stddev") = 1.0);

  py::class_<Tensor>(m, "Tensor")
      .def_property_readonly("shape", [](const Tensor& t) { return py::tuple(py::cast(t.shape())); })
      .def_property_readonly("dtype", [](const Tensor& t) { return numpy_dtype(t.dtype()); })
      .def_property_readonly("ndim", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("numpy", &to_numpy, "A copy of the values as a NumPy array.")
      .def("item", &Tensor::item)
      .def_property_readonly("requires_grad", &Tensor::requires_grad)
      .def("requires_grad_", &Tensor::requires_grad_, py::arg("on") = true, py::return_value_policy::reference_internal)
      .def_property_readonly("is_leaf", &Tensor::is_leaf)
      .def_property_readonly("grad", [](const Tensor& t) -> py::object {
            return t.has_grad() ? py::cast(t.grad()) : py::none();
          }, "The gradient as a Tensor (a dense copy), or None until a backward reached this tensor.")
      .def("backward", [](const Tensor& t, const std::optional<Tensor>& grad_output) {
            grad_output ? t.backward(*grad_output) : t.backward();
          }, py::arg("grad_output") = py::none())
      .def("zero_grad", &Tensor::zero_grad)
      .def("retain_grad", &Tensor::retain_grad)
      .def("detach", &Tensor::detach)
      .def("to", [](const Tensor& t, const py::object& dtype) { return t.to(dtype_from(dtype)); }, py::arg("dtype"))
      .def_property_readonly("op_name", &Tensor::op_name)
      .def("__repr__", [](const Tensor& t) { return t.defined() ? t.to_string() : std::string("Tensor(undefined)"); })
      // Operators: + - * / between tensors (broadcasting) or with a number; @ is matmul, ** a power.
      .def("__add__", [](const Tensor& a, const Tensor& b) { return a + b; })
      .def("__add__", [](const Tensor& a, double s) { return a + s; })
      .def("__radd__", [](const Tensor& a, double s) { return s + a; })
      .def("__sub__", [](const Tensor& a, const Tensor& b) { return a - b; })
      .def("__sub__", [](const Tensor& a, double s) { return a - s; })
      .def("__rsub__", [](const Tensor& a, double s) { return s - a; })
      .def("__mul__", [](const Tensor& a, const Tensor& b) { return a * b; })
      .def("__mul__", [](const Tensor& a, double s) { return a * s; })
      .def("__rmul__", [](const Tensor& a, double s) { return s * a; })
      .def("__truediv__", [](const Tensor& a, const Tensor& b) { return a / b; })
      .def("__truediv__", [](const Tensor& a, double s) { return a / s; })
      .def("__rtruediv__", [](const Tensor& a, double s) { return Tensor::scalar(s, a.dtype()) / a; })
      .def("__neg__", [](const Tensor& a) { return -a; })
      .def("__matmul__", [](const Tensor& a, const Tensor& b) { return matmul(a, b); })
      .def("__pow__", [](const Tensor& a, double exponent) { return pow(a, exponent); });

  m.def("tensor", [](const py::object& data, const py::object& dtype, bool requires_grad) {
        Tensor t = from_numpy(data, dtype);
        t.requires_grad_(requires_grad);
        return t;
      }, py::arg("data"), py::kw_only(), py::arg("dtype") = py::none(),
      py::arg("requires_grad") = false,
      "A new leaf tensor holding a copy of `data` (any array-like); float32 data stays float32, other data "
      "becomes float64 unless `dtype` says otherwise.");
  m.def("zeros", [](const Shape& shape, const py::object& dtype) { return Tensor::zeros(shape, dtype_from(dtype)); },
        py::arg("shape"), py::arg("dtype") = "float32");
  m.def("ones", [](const Shape& shape, const py::object& dtype) { return Tensor::ones(shape, dtype_from(dtype)); },
        py::arg("shape"), py::arg("dtype") = "float32");
  m.def("randn", [](const Shape& shape, Rng& rng, const py::object& dtype) {
        return Tensor::randn(shape, rng, dtype_from(dtype));
      }, py::arg("shape"), py::arg("rng"), py::arg("dtype") = "float32");

  py::class_<NoGradContext>(m, "no_grad", "`with recgrad.no_grad():` ops in the block record no graph.")
      .def(py::init<>())
      .def("__enter__", &NoGradContext::enter)
      .def("__exit__", [](NoGradContext& c, const py::args&) { c.exit(); });
  m.def("grad_enabled", &grad_enabled);

  py::class_<GradcheckResult>(m, "GradcheckResult")
      .def_readonly("ok", &GradcheckResult::ok)
      .def_readonly("checked", &GradcheckResult::checked)
      .def_readonly("input", &GradcheckResult::input)
      .def_readonly("input_index", &GradcheckResult::input_index)
      .def_readonly("output_index", &GradcheckResult::output_index)
      .def_readonly("analytical", &GradcheckResult::analytical)
      .def_readonly("numerical", &GradcheckResult::numerical)
      .def_readonly("tolerance_used", &GradcheckResult::tolerance_used)
      .def_readonly("message", &GradcheckResult::message)
      .def("__bool__", [](const GradcheckResult& r) { return r.ok; })
      .def("__repr__", [](const GradcheckResult& r) { return r.message; });
  m.def("gradcheck", &gradcheck_python, py::arg("f"), py::arg("inputs"), py::arg("eps") = 1e-6,
        py::arg("atol") = 1e-5, py::arg("rtol") = 1e-3,
        "Checks f(*inputs)'s backward against central differences; inputs are float64 leaves.");
  m.def("to_dot", &to_dot, py::arg("root"), "The graph under `root` in Graphviz DOT (draw it before backward).");
}

}  // namespace recgrad::python
