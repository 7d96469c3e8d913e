#pragma once
// The parts of the recgrad Python module, one per theme (python/module.cpp puts them together), and
// the NumPy conversions they share. Every conversion copies: a NumPy array never aliases a tensor.
#include <cstdint>
#include <optional>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "core/tensor.h"

namespace recgrad::python {

namespace py = pybind11;

// "float32", "float64", numpy.float32, numpy.dtype("float64"), ...; throws std::invalid_argument on others.
DType dtype_from(const py::object& dtype);
py::dtype numpy_dtype(DType dtype);

// Any array-like -> a new leaf tensor. Without `dtype`: float32 stays float32, anything else becomes float64.
Tensor from_numpy(const py::object& array, const py::object& dtype = py::none());
py::array to_numpy(const Tensor& t);  // a copy, with the tensor's shape and dtype

// An integer array-like (ids, lengths) as flat int64 values and its shape.
std::vector<std::int64_t> indices_from(const py::object& array, Shape* shape = nullptr);

// The optional tensor arguments of ops and layers (a mask): None is the undefined tensor.
inline Tensor or_undefined(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

void bind_tensor(py::module_& m);  // python/tensor.cpp: Tensor, Rng, no_grad, gradcheck, to_dot
void bind_ops(py::module_& m);     // python/ops.cpp: the ops of core/ops.h
void bind_layers(py::module_& m);  // python/layers.cpp: Module and the layers
void bind_run(py::module_& m);     // python/run.cpp: a trained run directory

}  // namespace recgrad::python
