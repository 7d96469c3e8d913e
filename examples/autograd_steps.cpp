// Chapter 1 of the walkthrough: one tiny expression, its graph, its backward pass, its gradcheck.
//   z = w · x + b       (w [2] a parameter, x [2] an input, b [] a parameter)
//   y = tanh(z)
//   L = y²
// Prints JSON: the graph as Graphviz DOT (drawn before backward, which frees it), every tensor's
// value, every tensor's gradient after backward in the order the engine reaches them (from L back
// to the parameters), the chain rule evaluated by hand at each step for comparison, and a float64
// gradcheck of dL/dw and dL/db against central differences.
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/gradcheck.h"
#include "core/graph_dot.h"
#include "core/ops.h"

using namespace recgrad;
using nlohmann::json;

namespace {
// L(w, b) for the fixed input x, the function both backward() and gradcheck differentiate.
struct Expression {
  Tensor x = Tensor::from_vector({2}, {1.0, 2.0}, DType::Float64);
  Tensor w, wx, z, y, loss;
  void forward(const Tensor& weight, const Tensor& bias) {
    w = weight;
    wx = sum(w * x);  // []
    z = wx + bias;    // []
    y = tanh(z);      // []
    loss = y * y;     // []
  }
};
}  // namespace

int main() {
  Tensor w = Tensor::from_vector({2}, {0.5, 0.25}, DType::Float64).requires_grad_();
  Tensor b = Tensor::scalar(0.1, DType::Float64).requires_grad_();
  Expression e;
  e.forward(w, b);
  for (Tensor* t : {&e.wx, &e.z, &e.y}) t->retain_grad();  // keep the intermediate gradients to show them

  json out;
  out["dot"] = to_dot(e.loss);
  out["forward"] = json::array();
  const std::vector<std::pair<std::string, Tensor*>> named{{"w", &w},       {"b", &b}, {"w·x", &e.wx},
                                                            {"z = w·x + b", &e.z}, {"y = tanh(z)", &e.y},
                                                            {"L = y²", &e.loss}};
  for (const auto& [name, t] : named)
    out["forward"].push_back({{"tensor", name}, {"op", t->op_name()}, {"value", t->to_vector()}});

  e.loss.backward();
  // The engine visits the graph from L back to the leaves; each step multiplies the gradient that
  // arrived by the local derivative of one op.
  const double y = e.y.item();
  out["backward"] = json::array({
      {{"tensor", "L"}, {"grad", 1.0}, {"rule", "dL/dL = 1 (the seed)"}},
      {{"tensor", "y"}, {"grad", e.y.grad().item()}, {"rule", "dL/dy = 2y"}, {"by_hand", 2 * y}},
      {{"tensor", "z"}, {"grad", e.z.grad().item()}, {"rule", "dL/dz = dL/dy · (1 - y²)"},
       {"by_hand", 2 * y * (1 - y * y)}},
      {{"tensor", "w·x"}, {"grad", e.wx.grad().item()}, {"rule", "dL/d(w·x) = dL/dz · 1"},
       {"by_hand", 2 * y * (1 - y * y)}},
      {{"tensor", "b"}, {"grad", b.grad().item()}, {"rule", "dL/db = dL/dz · 1"}, {"by_hand", 2 * y * (1 - y * y)}},
      {{"tensor", "w"}, {"grad", w.grad().to_vector()}, {"rule", "dL/dw = dL/d(w·x) · x"},
       {"by_hand", {2 * y * (1 - y * y) * 1.0, 2 * y * (1 - y * y) * 2.0}}},
  });

  const GradcheckResult check = gradcheck(
      [](const std::vector<Tensor>& inputs) {
        Expression again;
        again.forward(inputs[0], inputs[1]);
        return again.loss;
      },
      {w.detach().requires_grad_(), b.detach().requires_grad_()});
  out["gradcheck"] = {{"ok", check.ok}, {"checked", check.checked}, {"message", check.message}};
  std::cout << out.dump(2) << "\n";
  return 0;
}
