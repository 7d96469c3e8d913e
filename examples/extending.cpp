// The worked example of docs/extending.md: a new op with its backward, a new layer built from ops,
// and the gradchecks that prove both. Prints JSON with the checks' results.
//
// The op: softplus(x) = log(1 + e^x), a smooth ReLU.     x [...] -> y [...]
//   dy/dx = e^x / (1 + e^x) = sigmoid(x) = 1 - e^-y
// The layer: additive attention (Bahdanau et al., 2015), the older sibling of dot-product attention
// (chapter 3 of the walkthrough compares the two):
//   scores  = vᵀ tanh(q Wqᵀ + k_t Wkᵀ)        [B, 1, T]    (q [B, 1, D], keys [B, T, D], hidden H)
//   weights = softmax over the unpadded keys   [B, 1, T]
//   output  = weights · values                 [B, 1, Dv]
#include <iostream>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/tensor_impl.h"
#include "layers/attention.h"
#include "layers/linear.h"

namespace recgrad {

// A new op: compute the values, then hand them to make_result with the backward right below.
// The backward captures nothing from the graph; it reads the output it is given (y) and adds
// dL/dx = dL/dy · (1 - e^-y) into the input's gradient.
Tensor softplus(const Tensor& x) {
  return dispatch(common_dtype({x}, "softplus"), [&](auto zero) {
    using T = decltype(zero);
    const Array<T>& v = values_of<T>(x, "softplus");
    // log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): finite for any x.
    Array<T> y = xt::maximum(v, T(0)) + xt::log1p(xt::exp(-xt::abs(v)));
    return make_result<T>("softplus", std::move(y), {x}, [](const Backward<T>& ctx) {
      ctx.accumulate(0, ctx.grad_output() * (T(1) - xt::exp(-ctx.output())));
    });
  });
}

// A new layer: register parameters and sub-modules by name, compose ops in forward.
class AdditiveAttention : public Module {
 public:
  AdditiveAttention(std::size_t dim, std::size_t hidden, Rng& rng, DType dtype = DType::Float32) {
    query_proj = register_module("query_proj", std::make_shared<Linear>(dim, hidden, rng, dtype, LinearOptions{false}));
    key_proj = register_module("key_proj", std::make_shared<Linear>(dim, hidden, rng, dtype, LinearOptions{false}));
    v = register_parameter("v", Tensor::uniform({hidden, 1}, -0.5, 0.5, rng, dtype));
  }

  // query [B, 1, D], keys [B, T, D], values [B, T, Dv], key_padding_mask [B, T] or undefined.
  AttentionOutput forward(const Tensor& query, const Tensor& keys, const Tensor& values,
                          const Tensor& key_padding_mask = Tensor()) const {
    check_attention_inputs("AdditiveAttention", query, keys, values, key_padding_mask, false);
    const Tensor hidden = tanh(query_proj->forward(query) + key_proj->forward(keys));  // [B, T, H] by broadcasting
    const Tensor scores = transpose(matmul(hidden, v), 1, 2);                          // [B, 1, T]
    const Tensor weights = attention_weights(scores, key_padding_mask, /*normalize=*/true);
    return {matmul(weights, values), weights};
  }

  std::shared_ptr<Linear> query_proj, key_proj;
  Tensor v;
};

}  // namespace recgrad

using namespace recgrad;
using nlohmann::json;

int main() {
  const DType f64 = DType::Float64;
  Rng rng(11);
  json out;

  // The op: its values, then its gradient against central differences (softplus has no kink, so
  // any inputs do; ±30 check that the stable form neither overflows nor loses the tail).
  const Tensor x = Tensor::from_vector({2, 3}, {-30.0, -1.0, 0.0, 0.5, 2.0, 30.0}, f64).requires_grad_();
  out["softplus"] = {{"x", x.to_vector()}, {"y", softplus(x).to_vector()}};
  const GradcheckResult op_check = gradcheck([](const std::vector<Tensor>& in) { return softplus(in[0]); }, {x});
  out["softplus"]["gradcheck"] = op_check.message;

  // The layer: every parameter and the inputs, with a padded key, in one gradcheck.
  AdditiveAttention attention(4, 5, rng, f64);
  const Tensor query = Tensor::randn({2, 1, 4}, rng, f64).requires_grad_();
  const Tensor keys = Tensor::randn({2, 3, 4}, rng, f64).requires_grad_();
  const Tensor values = Tensor::randn({2, 3, 2}, rng, f64).requires_grad_();
  const Tensor mask = padding_mask({3, 2}, 3, f64);  // the second sample's last key is padding
  std::vector<Tensor> inputs{query, keys, values};
  for (const Tensor& p : attention.parameters()) inputs.push_back(p);
  const GradcheckResult layer_check = gradcheck(
      [&](const std::vector<Tensor>& in) { return attention.forward(in[0], in[1], in[2], mask).output; }, inputs);
  json params = json::array();
  for (const auto& [name, p] : attention.named_parameters()) params.push_back({{"name", name}, {"shape", p.shape()}});
  out["additive_attention"] = {{"parameters", params},
                               {"weights", attention.forward(query, keys, values, mask).weights.to_vector()},
                               {"gradcheck", layer_check.message}};
  out["ok"] = op_check.ok && layer_check.ok;
  std::cout << out.dump(2) << "\n";
  return out["ok"].get<bool>() ? 0 : 1;
}
