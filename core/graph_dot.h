#pragma once
// A drawing of the graph under a tensor, for teaching and debugging:
//   std::ofstream("graph.dot") << to_dot(loss);   then   dot -Tsvg graph.dot -o graph.svg
#include <string>

#include "core/tensor.h"

namespace recgrad {

// Graphviz DOT: one box per tensor labelled with its shape, one ellipse per op labelled with its
// name, edges in the direction of the forward pass (input -> op -> output). Leaves that require
// grad (the parameters) are filled. Draw before backward(), which frees the graph.
std::string to_dot(const Tensor& root);

}  // namespace recgrad
