#pragma once
// Inside a tensor: the xtensor storage, the gradient, and the graph node. Included by op kernels
// (core/ops/*.cpp) and a few fused layers, not by user code: it pulls in xtensor.
//
// Graph design (after flashlight): each op output owns a Node that holds its inputs and a backward
// function. The backward function never captures the output tensor (that would be a reference cycle);
// it receives the output's value and gradient from the engine through `Backward<T>`.
#include <functional>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include <xtensor/xarray.hpp>

#include "core/row_grad.h"
#include "core/storage_pool.h"
#include "core/tensor.h"

namespace recgrad {

// Storage comes from the storage pool (core/storage_pool.h), which recycles large buffers between steps.
template <class T>
using Array = xt::xarray<T, xt::layout_type::row_major, PoolAllocator<T>>;
using AnyArray = std::variant<Array<float>, Array<double>>;

struct Node;

struct TensorImpl {
  AnyArray data;
  // The gradient, in one of two layouts:
  // - dense (grad_rows empty): the tensor's shape;
  // - row-sparse (grad_rows set, while only gather_rows fed a 2-D leaf): [grad_rows->size(), D], row i
  //   holding the gradient of table row (*grad_rows)[i]; every other row's gradient is zero
  //   (an optimisation for embedding tables: core/row_grad.h).
  std::optional<AnyArray> grad;
  std::optional<std::vector<std::int64_t>> grad_rows;  // sorted, unique
  std::shared_ptr<Node> grad_fn;                       // null for leaves
  bool requires_grad = false;
  bool retains_grad = false;
  bool graph_freed = false;  // a backward() already consumed the graph under this tensor
  Shape shape;

  DType dtype() const { return data.index() == 0 ? DType::Float32 : DType::Float64; }
  template <class T>
  Array<T>& values() {
    return std::get<Array<T>>(data);
  }
  template <class T>
  Array<T>& gradient() {
    return std::get<Array<T>>(*grad);
  }
};

struct Node {
  std::string name;                                  // op name, for errors and graph drawings
  std::vector<std::shared_ptr<TensorImpl>> inputs;   // the edges of the graph
  std::function<void(TensorImpl& output)> backward;  // adds d(loss)/d(input) into each input's grad
  ~Node();                                           // iterative: a deep chain must not overflow the stack
};

// Adds `g` into the gradient of `t`, first summing over the axes along which `t` was broadcast
// (core/autograd.cpp: the one place broadcasting is undone).
template <class T>
void accumulate_grad(TensorImpl& t, Array<T>&& g, const char* op);
// The same for an array the op keeps (its dy): read in place, copied only to become t's gradient.
template <class T>
void accumulate_grad(TensorImpl& t, const Array<T>& g, const char* op);

// A dense gradient buffer of t's shape that a backward writes into directly (Backward::write_grad).
template <class T>
struct GradDestination {
  T* data;
  T beta;  // 0: just allocated, holds garbage, every element must be written; 1: holds a gradient to add to
};
template <class T>
GradDestination<T> grad_destination(TensorImpl& t);

// What an op's backward function sees, and how it hands back the gradient of each input.
//
// The normal way, for every op: `ctx.accumulate(i, grad)` adds the gradient of input i, of the input's
// shape or of any shape that broadcasts to it (the engine sums over the broadcast axes).
//
// Two optimisations, each tested against what `accumulate` gives and listed in docs/speed-code.md:
// - `write_grad`, for gemm kernels (matmul, linear, head_scores, head_mix): the gemm writes the
//   gradient straight into the input's grad buffer instead of a temporary that is added in after, so
//   the engine's gemm backward runs close to bare sgemm (bench_ops BM_Matmul against BM_BareSgemm).
// - `accumulate_rows`, for the embedding lookup: only the rows a batch used get gradient, kept
//   row-sparse on a table (core/row_grad.h), so memory and lazy Adam scale with the batch, not the
//   table (bench_ops BM_EmbeddingGrad).
template <class T>
class Backward {
 public:
  Backward(TensorImpl& output, Node& node) : out_(output), node_(node) {}
  const Array<T>& grad_output() const { return std::get<Array<T>>(*out_.grad); }
  const Array<T>& output() const { return std::get<Array<T>>(out_.data); }
  const Array<T>& input(std::size_t i) const { return node_.inputs[i]->values<T>(); }
  bool needs_grad(std::size_t i) const { return node_.inputs[i]->requires_grad; }
  // The normal way. `g` may be an unevaluated xtensor expression: it is only evaluated when input i
  // needs a gradient.
  template <class E>
  void accumulate(std::size_t i, E&& g) const {
    if (!needs_grad(i)) return;
    if constexpr (std::is_same_v<E, const Array<T>&>)  // an array the op keeps, such as dy: not copied first
      accumulate_grad<T>(*node_.inputs[i], g, node_.name.c_str());
    else
      accumulate_grad<T>(*node_.inputs[i], Array<T>(std::forward<E>(g)), node_.name.c_str());
  }
  // Optimisation: adds row p of `rows_grad` [rows.size(), D] into row rows[p] of input i's gradient,
  // except rows equal to `skip_row` (a padding row).
  void accumulate_rows(std::size_t i, const std::vector<std::int64_t>& rows, const T* rows_grad,
                       std::int64_t skip_row) const {
    if (!needs_grad(i)) return;
    accumulate_grad_rows<T>(*node_.inputs[i], rows, rows_grad, skip_row, node_.name.c_str());
  }
  // Optimisation, for kernels that can add into their output, such as gemm (C = A B + beta C): calls
  // `write(T* dst, T beta)` to produce input i's gradient, of shape `grad_shape`, as dst = g + beta dst.
  // When grad_shape is the input's shape, dst is the input's own gradient buffer, so there is no
  // temporary, no zero-fill and no extra pass to add it in; otherwise (a broadcast input) dst is a
  // temporary that accumulate reduces, with beta = 0.
  template <class F>
  void write_grad(std::size_t i, const Shape& grad_shape, F&& write) const {
    if (!needs_grad(i)) return;
    TensorImpl& in = *node_.inputs[i];
    if (grad_shape == in.shape) {
      const GradDestination<T> dst = grad_destination<T>(in);
      write(dst.data, dst.beta);
      return;
    }
    Array<T> g = Array<T>::from_shape(grad_shape);
    write(g.data(), T(0));
    accumulate_grad<T>(in, std::move(g), node_.name.c_str());
  }

 private:
  TensorImpl& out_;
  Node& node_;
};

template <class T>
std::shared_ptr<TensorImpl> make_impl(Array<T>&& values) {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape.assign(values.shape().begin(), values.shape().end());
  impl->data = std::move(values);
  return impl;
}

// The one way an op returns its result: wraps `values` in a tensor and, when grad mode is on and an
// input requires grad, records a node whose backward calls `backward(const Backward<T>&)`.
template <class T, class F>
Tensor make_result(const char* name, Array<T>&& values, const std::vector<Tensor>& inputs, F&& backward) {
  auto impl = make_impl<T>(std::move(values));
  bool any = false;
  for (const Tensor& in : inputs) any = any || in.requires_grad();
  if (any && grad_enabled()) {
    auto node = std::make_shared<Node>();
    node->name = name;
    for (const Tensor& in : inputs) node->inputs.push_back(in.impl_ptr());
    node->backward = [fn = std::forward<F>(backward)](TensorImpl& out) {
      fn(Backward<T>(out, *out.grad_fn));
    };
    impl->grad_fn = std::move(node);
    impl->requires_grad = true;
  }
  return Tensor(std::move(impl));
}

// Typed access to a tensor's values; throws naming `op` when the dtype differs.
template <class T>
const Array<T>& values_of(const Tensor& t, const char* op) {
  if (!t.defined()) throw std::invalid_argument(std::string(op) + ": undefined tensor");
  if (t.dtype() != dtype_of<T>())
    throw std::invalid_argument(std::string(op) + ": expected " + dtype_name(dtype_of<T>()) + ", got " +
                                dtype_name(t.dtype()));
  return t.impl()->values<T>();
}

// Throws naming `op` unless all tensors are defined and share one dtype; returns it.
DType common_dtype(const std::vector<Tensor>& tensors, const char* op);

}  // namespace recgrad
