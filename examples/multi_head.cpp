// Chapter 4 of the walkthrough: multi-head attention at the article's sizes, D = 128 split into h = 4
// heads of 32, for one candidate item (Tq = 1) against a history of T = 8 items.
//   Q = target Wqᵀ + bq  [B, 1, D],  K = history Wkᵀ + bk,  V = history Wvᵀ + bv  [B, T, D]
//   head_i = softmax(Q_i K_iᵀ / sqrt(32)) V_i  on columns 32i .. 32i+31          [B, 1, 32]
//   output = concat(head_1..head_4) Woᵀ + bo                                      [B, 1, D]
// Prints JSON: the parameters and their shapes, the shape of each stage, the per-head weights, the
// difference between the layer and the same computation spelled out head by head, and that with
// h = 1 the layer is single-head scaled dot-product attention between the projections. The layers
// run their reference form (set_fused_kernels(false)): the heads split and merged as written above.
#include <algorithm>
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "layers/multi_head_attention.h"
#include "layers/scaled_dot_attention.h"

using namespace recgrad;
using nlohmann::json;

namespace {
constexpr std::size_t kDim = 128, kHeads = 4, kLen = 8;

double max_abs_diff(const Tensor& a, const Tensor& b) {
  const std::vector<double> x = a.to_vector(), y = b.to_vector();
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]));
  return worst;
}

json shape_of(const Tensor& t) { return t.shape(); }
}  // namespace

int main() {
  const DType f64 = DType::Float64;
  Rng rng(3);
  const Tensor target = Tensor::randn({1, 1, kDim}, rng, f64);
  const Tensor history = Tensor::randn({1, kLen, kDim}, rng, f64);
  MultiHeadAttention mha(kDim, kHeads, rng, f64);
  mha.set_fused_kernels(false);
  const AttentionOutput a = mha.forward(target, history, history);

  json out;
  for (const auto& [name, p] : mha.named_parameters()) out["parameters"].push_back({{"name", name}, {"shape", p.shape()}});
  out["parameter_count"] = mha.parameter_count();
  out["head_weights"] = a.weights.to_vector();  // [1, h, 1, T] row-major: head-major
  out["heads"] = kHeads;
  out["history_len"] = kLen;

  // The same computation written out one head at a time, from the layer's own projections.
  const Tensor q = mha.q_proj->forward(target), k = mha.k_proj->forward(history), v = mha.v_proj->forward(history);
  const std::size_t hd = mha.head_dim();
  std::vector<Tensor> heads;
  for (std::size_t i = 0; i < kHeads; ++i) {
    const AttentionOutput head = scaled_dot_product_attention(slice(q, 2, i * hd, (i + 1) * hd),
                                                              slice(k, 2, i * hd, (i + 1) * hd),
                                                              slice(v, 2, i * hd, (i + 1) * hd));
    heads.push_back(head.output);
  }
  const Tensor merged = concat(heads, 2);
  const Tensor by_hand = mha.out_proj->forward(merged);
  out["stages"] = json::array({
      {{"stage", "target (query)"}, {"shape", shape_of(target)}},
      {{"stage", "history (keys = values)"}, {"shape", shape_of(history)}},
      {{"stage", "Q = q_proj(target)"}, {"shape", shape_of(q)}},
      {{"stage", "K = k_proj(history), V = v_proj(history)"}, {"shape", shape_of(k)}},
      {{"stage", "one head: Q_i, K_i, V_i"}, {"shape", json::array({1, 1, hd})}},
      {{"stage", "weights, all heads"}, {"shape", shape_of(a.weights)}},
      {{"stage", "concat(head_1..head_h)"}, {"shape", shape_of(merged)}},
      {{"stage", "output = out_proj(concat)"}, {"shape", shape_of(a.output)}},
  });
  out["split_by_hand_max_diff"] = max_abs_diff(a.output, by_hand);

  // h = 1: one head over all 128 dimensions is plain scaled dot-product attention between projections.
  MultiHeadAttention single(kDim, 1, rng, f64);
  single.set_fused_kernels(false);
  const AttentionOutput one = single.forward(target, history, history);
  const AttentionOutput plain = scaled_dot_product_attention(
      single.q_proj->forward(target), single.k_proj->forward(history), single.v_proj->forward(history));
  out["single_head"] = {{"weights", one.weights.to_vector()},
                        {"weights_max_diff", max_abs_diff(one.weights, plain.weights)},
                        {"output_max_diff", max_abs_diff(one.output, single.out_proj->forward(plain.output))}};
  std::cout << out.dump(2) << "\n";
  return 0;
}
