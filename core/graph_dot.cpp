#include "core/graph_dot.h"

#include <sstream>
#include <unordered_map>

#include "core/tensor_impl.h"

namespace recgrad {

std::string to_dot(const Tensor& root) {
  if (!root.defined()) throw std::invalid_argument("to_dot: undefined tensor");
  std::ostringstream dot;
  dot << "digraph recgrad {\n  node [fontname=\"Helvetica\"];\n";
  // Tensors are numbered in the order they are found; the op that made tensor tK is opK.
  std::unordered_map<const TensorImpl*, std::size_t> id;
  std::vector<const TensorImpl*> pending;  // an explicit stack: deep graphs must not overflow ours
  auto visit = [&](const TensorImpl* t) {
    const auto [it, fresh] = id.emplace(t, id.size());
    if (!fresh) return it->second;
    const bool parameter = !t->grad_fn && t->requires_grad;
    dot << "  t" << it->second << " [shape=box, label=\"" << to_string(t->shape) << "\""
        << (parameter ? ", style=filled, fillcolor=lightblue" : "") << "];\n";
    pending.push_back(t);
    return it->second;
  };
  visit(root.impl());
  while (!pending.empty()) {
    const TensorImpl* t = pending.back();
    pending.pop_back();
    if (!t->grad_fn) continue;
    const std::size_t k = id.at(t);
    dot << "  op" << k << " [shape=ellipse, label=\"" << t->grad_fn->name << "\"];\n";
    dot << "  op" << k << " -> t" << k << ";\n";
    for (const auto& in : t->grad_fn->inputs) {
      const std::size_t input = visit(in.get());  // writes the input's box first, if new
      dot << "  t" << input << " -> op" << k << ";\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace recgrad
