// The reverse-mode engine: topological order, the backward loop, gradient accumulation with the one
// broadcast reduction, graph release. Everything here is iterative so that a graph of any depth is safe.
// Row-sparse gradients of embedding tables, an optimisation, live in core/row_grad.cpp.
#include <algorithm>
#include <unordered_set>

#include <xtensor/xreducer.hpp>

#include "core/parallel.h"
#include "core/profile.h"
#include "core/row_grad.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
thread_local bool g_grad_enabled = true;

// Sums `g` over the axes along which a tensor of `target` shape (not g's) was broadcast to g's shape.
template <class T>
Array<T> reduce_to_shape(const Array<T>& g, const Shape& target, const char* op) {
  const Shape gs(g.shape().begin(), g.shape().end());
  auto mismatch = [&] {
    return std::invalid_argument(std::string(op) + " backward: gradient of shape " + to_string(gs) +
                                 " does not broadcast from input shape " + to_string(target));
  };
  if (target.size() > gs.size()) throw mismatch();
  const std::size_t lead = gs.size() - target.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < lead; ++i) axes.push_back(i);
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == gs[lead + i]) continue;
    if (target[i] != 1) throw mismatch();
    axes.push_back(lead + i);
  }
  const std::size_t cols = repeated_block(target, gs);
  if (cols == 0 || numel(gs) == 0) {  // a broadcast in the middle ([B, 1, D] in [B, T, D]): xtensor's sum
    Array<T> reduced = xt::sum(g, axes, xt::evaluation_strategy::immediate);
    reduced.reshape(target);
    return reduced;
  }
  // g as [rows, cols], summed over its rows into one: each column in row order, its columns split
  // between the threads in blocks: the sum xt::sum makes (Elementwise.GradientOfARepeatedOperandSumsItsRowsInOrder).
  constexpr std::size_t kBlock = 256;  // columns summed together, their sums kept in cache
  const std::size_t rows = numel(gs) / cols;
  Array<T> reduced = Array<T>::from_shape(target);
  T* out = reduced.data();
  const T* in = g.data();
#pragma omp parallel for schedule(static) num_threads(threads_for(numel(gs)))
  for (std::size_t c0 = 0; c0 < cols; c0 += kBlock) {
    const std::size_t c1 = std::min(c0 + kBlock, cols);
    std::fill(out + c0, out + c1, T(0));
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = c0; c < c1; ++c) out[c] += in[r * cols + c];
  }
  return reduced;
}
}  // namespace

bool grad_enabled() { return g_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

DType common_dtype(const std::vector<Tensor>& tensors, const char* op) {
  for (const Tensor& t : tensors)
    if (!t.defined()) throw std::invalid_argument(std::string(op) + ": undefined tensor");
  const DType d = tensors.front().dtype();
  for (const Tensor& t : tensors)
    if (t.dtype() != d)
      throw std::invalid_argument(std::string(op) + ": dtypes differ (" + dtype_name(d) + " and " +
                                  dtype_name(t.dtype()) + ")");
  return d;
}

Node::~Node() {
  // Destroying the last handle of a long chain would recurse once per node. Instead, take the
  // grad_fn of every input that dies with us onto a stack and dismantle those one at a time.
  std::vector<std::shared_ptr<Node>> pending;
  auto detach_inputs = [&pending](Node& n) {
    for (auto& in : n.inputs)
      if (in.use_count() == 1 && in->grad_fn && in->grad_fn.use_count() == 1) pending.push_back(std::move(in->grad_fn));
    n.inputs.clear();
  };
  detach_inputs(*this);
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    detach_inputs(*n);
  }
}

template <class T>
void accumulate_grad(TensorImpl& t, Array<T>&& g, const char* op) {
  const bool same = std::equal(g.shape().begin(), g.shape().end(), t.shape.begin(), t.shape.end());
  Array<T> reduced = same ? std::move(g) : reduce_to_shape<T>(g, t.shape, op);
  if (!t.grad) {
    t.grad = std::move(reduced);
    return;
  }
  densify_grad<T>(t);
  t.gradient<T>() += reduced;
}

template <class T>
void accumulate_grad(TensorImpl& t, const Array<T>& g, const char* op) {
  const bool same = std::equal(g.shape().begin(), g.shape().end(), t.shape.begin(), t.shape.end());
  if (same && t.grad) {  // added in place, g not copied
    densify_grad<T>(t);
    t.gradient<T>() += g;
    return;
  }
  accumulate_grad<T>(t, same ? Array<T>(g) : reduce_to_shape<T>(g, t.shape, op), op);
}

// Backward::write_grad's destination: the input's own grad buffer, so a gemm adds into it in place.
template <class T>
GradDestination<T> grad_destination(TensorImpl& t) {
  if (!t.grad) {
    t.grad = Array<T>::from_shape(t.shape);  // not zero-filled: the caller writes every element (beta = 0)
    return {t.gradient<T>().data(), T(0)};
  }
  densify_grad<T>(t);
  return {t.gradient<T>().data(), T(1)};
}

template void accumulate_grad<float>(TensorImpl&, Array<float>&&, const char*);
template void accumulate_grad<double>(TensorImpl&, Array<double>&&, const char*);
template void accumulate_grad<float>(TensorImpl&, const Array<float>&, const char*);
template void accumulate_grad<double>(TensorImpl&, const Array<double>&, const char*);
template GradDestination<float> grad_destination<float>(TensorImpl&);
template GradDestination<double> grad_destination<double>(TensorImpl&);

namespace {
// Post-order DFS with an explicit stack: every tensor comes after all tensors it was computed from.
std::vector<std::shared_ptr<TensorImpl>> topological_order(const std::shared_ptr<TensorImpl>& root) {
  std::vector<std::shared_ptr<TensorImpl>> order;
  std::unordered_set<TensorImpl*> seen{root.get()};
  std::vector<std::pair<std::shared_ptr<TensorImpl>, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto& [impl, next] = stack.back();
    if (impl->graph_freed)
      throw std::logic_error(
          "backward: part of this graph was already freed by an earlier backward(); recompute the forward pass");
    const Node* node = impl->grad_fn.get();
    if (node && next < node->inputs.size()) {
      const std::shared_ptr<TensorImpl>& in = node->inputs[next++];
      if (in->requires_grad && seen.insert(in.get()).second) stack.emplace_back(in, 0);
      continue;
    }
    order.push_back(impl);
    stack.pop_back();
  }
  return order;
}
}  // namespace

void run_backward(const std::shared_ptr<TensorImpl>& root, AnyArray seed) {
  if (!root->requires_grad)
    throw std::logic_error("backward: the tensor does not require grad (no input of its graph requires grad)");
  ProfileScope engine("[autograd engine]", profile::Phase::Backward);  // self time: ordering and releasing
  auto order = topological_order(root);
  std::visit([&](auto& g) { accumulate_grad(*root, std::move(g), "backward"); }, seed);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TensorImpl& t = **it;
    if (!t.grad_fn || !t.grad) continue;
    ProfileScope scope(t.grad_fn->name.c_str(), profile::Phase::Backward);
    t.grad_fn->backward(t);
  }
  // Release the graph: intermediate grads and nodes go; leaves keep their accumulated grads.
  for (auto& t : order) {
    if (!t->grad_fn) continue;
    if (!t->retains_grad) t->grad.reset();
    t->grad_fn.reset();
    t->graph_freed = true;
  }
}

}  // namespace recgrad
