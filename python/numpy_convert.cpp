#include <cstring>
#include <stdexcept>
#include <string>

#include "python/bindings.h"

namespace recgrad::python {

DType dtype_from(const py::object& dtype) {
  const py::dtype d = py::dtype::from_args(dtype);
  if (d.kind() == 'f' && d.itemsize() == 4) return DType::Float32;
  if (d.kind() == 'f' && d.itemsize() == 8) return DType::Float64;
  throw std::invalid_argument("recgrad: dtype must be float32 or float64, got " + std::string(py::str(py::object(d))));
}

py::dtype numpy_dtype(DType dtype) {
  return dtype == DType::Float32 ? py::dtype::of<float>() : py::dtype::of<double>();
}

Tensor from_numpy(const py::object& array, const py::object& dtype) {
  DType target = DType::Float64;
  if (!dtype.is_none())
    target = dtype_from(dtype);
  else if (py::isinstance<py::array>(array) && py::reinterpret_borrow<py::array>(array).dtype().is(py::dtype::of<float>()))
    target = DType::Float32;
  return dispatch(target, [&](auto zero) {
    using T = decltype(zero);
    const auto values = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(array);
    if (!values) throw std::invalid_argument("recgrad.tensor: cannot convert a " +
                                             std::string(py::str(py::type::of(array))) + " to an array of numbers");
    Tensor t = Tensor::zeros(Shape(values.shape(), values.shape() + values.ndim()), target);
    if (t.numel() > 0) std::memcpy(t.template mutable_data<T>(), values.data(), t.numel() * sizeof(T));
    return t;
  });
}

py::array to_numpy(const Tensor& t) {
  if (!t.defined()) throw std::invalid_argument("numpy(): the tensor is undefined");
  return dispatch(t.dtype(), [&](auto zero) -> py::array {
    using T = decltype(zero);
    py::array_t<T> out(std::vector<py::ssize_t>(t.shape().begin(), t.shape().end()));
    if (t.numel() > 0) std::memcpy(out.mutable_data(), t.template data<T>(), t.numel() * sizeof(T));
    return out;
  });
}

std::vector<std::int64_t> indices_from(const py::object& array, Shape* shape) {
  // Rounding float ids silently would pick a wrong row; integers and booleans only.
  if (py::isinstance<py::array>(array) && std::string("iub").find(py::reinterpret_borrow<py::array>(array).dtype().kind()) == std::string::npos)
    throw std::invalid_argument("recgrad: indices must be integers, got an array of " +
                                std::string(py::str(py::object(py::reinterpret_borrow<py::array>(array).dtype()))));
  const auto values = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
  if (!values) throw std::invalid_argument("recgrad: indices must be an array of integers");
  if (shape) *shape = Shape(values.shape(), values.shape() + values.ndim());
  return std::vector<std::int64_t>(values.data(), values.data() + values.size());
}

}  // namespace recgrad::python
