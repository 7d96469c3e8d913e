// The worked example of docs/extending.md: a new op with its backward, a new attention kind, and the
// gradchecks that prove both. Prints JSON with the checks' results.
//
// The op: softplus(x) = log(1 + e^x), a smooth ReLU.     x [...] -> y [...]
//   dy/dx = e^x / (1 + e^x) = sigmoid(x) = 1 - e^-y
// The attention kind: additive attention (Bahdanau et al., 2015), the older sibling of dot-product
// attention (chapter 3 of the walkthrough compares the two), in the library as
// layers/additive_attention.{h,cpp} and built here by name, as the click model builds it:
//   scores_t = vᵀ tanh(W_q q + W_k k_t + b)     [B, 1, T]    (q [B, 1, D], keys [B, T, D])
//   weights  = softmax over the unpadded keys   [B, 1, T]
//   output   = weights · values                 [B, 1, Dv]
#include <iostream>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "core/gradcheck.h"
#include "core/ops.h"
#include "core/tensor_impl.h"
#include "layers/attention.h"

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

  // The attention kind, by name as a config names it: every parameter and the inputs, with a padded
  // key, in one gradcheck.
  AttentionOptions options;
  options.kind = parse_attention_kind("additive");
  const std::shared_ptr<Attention> attention = make_attention(options, 4, rng, f64);
  const Tensor query = Tensor::randn({2, 1, 4}, rng, f64).requires_grad_();
  const Tensor keys = Tensor::randn({2, 3, 4}, rng, f64).requires_grad_();
  const Tensor values = Tensor::randn({2, 3, 2}, rng, f64).requires_grad_();
  const Tensor mask = padding_mask({3, 2}, 3, f64);  // the second sample's last key is padding
  std::vector<Tensor> inputs{query, keys, values};
  for (const Tensor& p : attention->parameters()) inputs.push_back(p);
  const GradcheckResult layer_check = gradcheck(
      [&](const std::vector<Tensor>& in) { return attention->forward(in[0], in[1], in[2], mask).output; }, inputs);
  json params = json::array();
  for (const auto& [name, p] : attention->named_parameters()) params.push_back({{"name", name}, {"shape", p.shape()}});
  out["additive_attention"] = {{"parameters", params},
                               {"weights", attention->forward(query, keys, values, mask).weights.to_vector()},
                               {"gradcheck", layer_check.message}};
  out["ok"] = op_check.ok && layer_check.ok;
  std::cout << out.dump(2) << "\n";
  return out["ok"].get<bool>() ? 0 : 1;
}
