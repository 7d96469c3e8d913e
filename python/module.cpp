// The `recgrad` Python module (docs/python.md). pybind11 turns std::invalid_argument into ValueError
// with the same message, so a bad shape reads in Python as it does on the command line.
#include "python/bindings.h"

PYBIND11_MODULE(recgrad, m) {
  m.doc() = "recgrad: reverse-mode autograd, attention layers for recommendation, and trained runs";
  recgrad::python::bind_tensor(m);
  recgrad::python::bind_ops(m);
  recgrad::python::bind_layers(m);
  recgrad::python::bind_run(m);
}
