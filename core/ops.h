#pragma once
// The differentiable ops. Each is defined in core/ops/<family>.cpp with its backward right under
// its forward. Binary elementwise ops broadcast as NumPy does; their backward sums the gradient back
// to each input's shape in one place (accumulate_grad in core/autograd.cpp).
//
// Masks are tensors of 0/1 values (any float dtype) where 1 marks an entry to leave out, as
// PyTorch's key_padding_mask and masked_fill: `padding_mask(lengths, T)` builds them.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

// --- elementwise (core/ops/elementwise.cpp) ---
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor add_scalar(const Tensor& x, double s);
Tensor mul_scalar(const Tensor& x, double s);
Tensor pow(const Tensor& x, double exponent);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor relu(const Tensor& x);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& x, double s) { return add_scalar(x, s); }
inline Tensor operator+(double s, const Tensor& x) { return add_scalar(x, s); }
inline Tensor operator-(const Tensor& x, double s) { return add_scalar(x, -s); }
inline Tensor operator-(double s, const Tensor& x) { return add_scalar(neg(x), s); }
inline Tensor operator*(const Tensor& x, double s) { return mul_scalar(x, s); }
inline Tensor operator*(double s, const Tensor& x) { return mul_scalar(x, s); }
inline Tensor operator/(const Tensor& x, double s) { return mul_scalar(x, 1.0 / s); }

// --- matmul (core/ops/matmul.cpp) ---
// a [..., M, K] x b [..., K, N] -> [..., M, N]; batch dims broadcast; both at least 2-D.
// Every product is a BLAS gemm: one call when b is 2-D (a projection), else one per batch entry.
Tensor matmul(const Tensor& a, const Tensor& b);

// --- attention heads (core/ops/attention_heads.cpp) ---
// Multi-head attention's products on [B, T, D] projections whose head i is columns [i hd, (i+1) hd),
// hd = D / num_heads, without splitting the heads into [B, h, T, hd] copies:
// scores[b, i, q, t] = scale Σ_d query[b, q, i hd + d] keys[b, t, i hd + d]:  [B, Tq, D], [B, T, D] -> [B, h, Tq, T]
Tensor head_scores(const Tensor& query, const Tensor& keys, std::size_t num_heads, double scale);
// out[b, q, i hd + d] = Σ_t weights[b, i, q, t] values[b, t, i hd + d]:  [B, h, Tq, T], [B, T, D] -> [B, Tq, D]
// (the heads come out merged, ready for the output projection).
Tensor head_mix(const Tensor& weights, const Tensor& values);

// --- linear (core/ops/linear.cpp) ---
// y = x weightᵀ + bias: x [..., in], weight [out, in], bias [out] or undefined -> [..., out]. The same as
// matmul(x, transpose(weight, 0, 1)) + bias in one gemm, without the transposed copy or broadcast add.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// --- shape (core/ops/shape.cpp) ---
Tensor reshape(const Tensor& x, const Shape& shape);  // same number of elements, row-major order
Tensor transpose(const Tensor& x, int axis0, int axis1);
Tensor permute(const Tensor& x, const std::vector<std::size_t>& axes);
Tensor concat(const std::vector<Tensor>& tensors, int axis);
Tensor slice(const Tensor& x, int axis, std::size_t start, std::size_t end);  // [start, end)
std::vector<Tensor> split(const Tensor& x, const std::vector<std::size_t>& sizes, int axis);

// --- reductions (core/ops/reduce.cpp) ---
Tensor sum(const Tensor& x);  // all elements -> shape []
Tensor sum(const Tensor& x, const std::vector<int>& axes, bool keepdims = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int>& axes, bool keepdims = false);
// Largest value along `axis`; the gradient goes to the first maximal entry.
Tensor max(const Tensor& x, int axis, bool keepdims = false);

// --- softmax (core/ops/softmax.cpp) ---
// Numerically stable along `axis`. With a mask (broadcastable to x; 1 = leave out), masked entries
// get weight 0 and a fully masked row is all zeros (not NaN) with zero gradient.
Tensor softmax(const Tensor& x, int axis, const Tensor& mask = Tensor());
// log_softmax with a mask gives 0 (not -inf) at masked entries, so sums over a row stay finite.
Tensor log_softmax(const Tensor& x, int axis, const Tensor& mask = Tensor());

// --- selection (core/ops/select.cpp) ---
// cond ? a : b elementwise, with broadcasting; cond is a 0/1 tensor without gradient.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// x with `value` where mask is 1 (mask broadcastable to x).
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);
// 1 at positions t >= lengths[b]: shape [B, T], the key padding mask of right-padded sequences.
Tensor padding_mask(const std::vector<std::size_t>& lengths, std::size_t T, DType dtype = DType::Float32);

// --- gather (core/ops/gather.cpp) ---
// Embedding lookup: table [N, D], `indices` of shape `index_shape` -> [*index_shape, D].
// The backward scatters into the used rows only (repeated indices sum) and records which rows were
// touched (Tensor::grad_rows) so optimizers can skip the rest. Rows equal to `padding_idx`
// (-1: none) receive no gradient. Throws naming the index when one is out of range.
Tensor gather_rows(const Tensor& table, const std::vector<std::int64_t>& indices, const Shape& index_shape,
                   std::int64_t padding_idx = -1);

// --- fused activations and DIN kernels (core/ops/prelu.cpp, din_pair_linear.cpp, dice.cpp) ---
// PReLU: y = x where x > 0, weight * x elsewhere; x [..., D], weight [1] (shared) or [D] (per feature
// of the last axis). At x = 0 the gradient is weight * dy, as PyTorch's.
Tensor prelu(const Tensor& x, const Tensor& weight);
// The first layer of DIN's activation unit for each pair p of (query row, key row):
//   y[p] = weight [q, k, q - k, q * k] + bias,  q = query[query_rows[p]], k = keys[key_rows[p]]
// query [Nq, D], keys [Nk, D], weight [H, 4D], bias [H] or undefined -> y [P, H], P pairs. Equals
// linear(concat({q, k, q - k, q * k}, -1), weight, bias) on the gathered rows, but the q part is
// computed once per query row rather than once per pair, and no [P, 4D] features are built.
Tensor din_pair_linear(const Tensor& query, const Tensor& keys, const std::vector<std::int64_t>& query_rows,
                       const std::vector<std::int64_t>& key_rows, const Tensor& weight, const Tensor& bias);
// Dice: y = x (alpha + (1 - alpha) p),  p = sigmoid((x - mean) / sqrt(var + eps)), per feature of the
// last axis; x [..., D], alpha [D]. This form uses the batch statistics over all leading axes (var
// biased, at least two rows), lets the gradient flow through them as batch norm does, and reports
// them through batch_mean / batch_var [D] when given (for running averages).
Tensor dice(const Tensor& x, const Tensor& alpha, double eps, std::vector<double>* batch_mean = nullptr,
            std::vector<double>* batch_var = nullptr);
// The same with fixed statistics mean, var [D] (eval's running averages; no gradient reaches them).
Tensor dice(const Tensor& x, const Tensor& alpha, const Tensor& mean, const Tensor& var, double eps);

// --- losses (core/ops/loss.cpp) ---
// Binary cross-entropy on logits, in the stable form max(x,0) - x*y + log(1 + exp(-|x|)),
// averaged over all elements. targets: same shape, values in [0, 1], no gradient.
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets);

}  // namespace recgrad
