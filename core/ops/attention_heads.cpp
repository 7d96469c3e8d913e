// Multi-head attention's two products, reading each head straight out of the [B, T, D] projections.
//
// Head i of a [B, T, D] projection is its columns [i hd, (i+1) hd), hd = D / h: a [T, hd] matrix with
// row stride D. gemm takes that stride as its leading dimension, so these ops multiply the heads where
// they lie. The plain form, split_heads = transpose(reshape(x, [B, T, h, hd]), 1, 2) and back, copies
// every projection twice forward and twice backward, and transposes the keys once more
// (tests/core/test_attention_heads.cpp checks both forms agree in float64). One small gemm per
// (sample, head), as in matmul's batched path, spread over threads (core/parallel.h). Every (sample,
// head) writes its own block of each gradient, so together they cover the buffer exactly once and
// write_grad's beta applies to all, and threads never write to the same element.
#include "core/blas.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
struct HeadPlan {
  std::size_t batch, query_len, key_len, heads, head_dim, dim;
  // Offset of head i of sample b in a [B, len, D] tensor, and of its [Tq, T] block in [B, h, Tq, T].
  std::size_t head(std::size_t b, std::size_t len, std::size_t i) const { return b * len * dim + i * head_dim; }
  std::size_t block(std::size_t b, std::size_t i) const { return (b * heads + i) * query_len * key_len; }
};

// Checks that a [B, Tq, D] and b [B, T, D] fit and that num_heads divides D.
HeadPlan head_plan(const char* op, const Shape& as, const Shape& bs, std::size_t num_heads) {
  if (as.size() != 3 || bs.size() != 3 || as[0] != bs[0] || as[2] != bs[2] || num_heads == 0 || as[2] % num_heads != 0)
    throw std::invalid_argument(std::string(op) + ": needs [B, Tq, D] and [B, T, D] with num_heads dividing D, got " +
                                to_string(as) + ", " + to_string(bs) + " and num_heads " + std::to_string(num_heads));
  return {as[0], as[1], bs[1], num_heads, as[2] / num_heads, as[2]};
}
}  // namespace

// Reference: reference_heads in layers/multi_head_attention.cpp; test: MultiHeadAttention.FusedHeadOpsEqualSplitHeadsMatmul.
// scores[b, i] = scale Q_bi K_biᵀ  ([Tq, hd] x [hd, T]);   dQ_bi += scale dS_bi K_bi,  dK_bi += scale dS_biᵀ Q_bi
Tensor head_scores(const Tensor& query, const Tensor& keys, std::size_t num_heads, double scale) {
  ProfileScope scope("head_scores");
  const DType d = common_dtype({query, keys}, "head_scores");
  const HeadPlan p = head_plan("head_scores", query.shape(), keys.shape(), num_heads);
  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    const T* Q = values_of<T>(query, "head_scores").data();
    const T* K = values_of<T>(keys, "head_scores").data();
    const T alpha = T(scale);
    const std::size_t Tq = p.query_len, Tk = p.key_len, hd = p.head_dim, D = p.dim;
    Array<T> scores = Array<T>::from_shape({p.batch, p.heads, Tq, Tk});
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_for(p.batch * D * Tq * Tk))
    for (std::size_t b = 0; b < p.batch; ++b)
      for (std::size_t i = 0; i < p.heads; ++i)
        blas::gemm<T>(false, true, Tq, Tk, hd, alpha, Q + p.head(b, Tq, i), D, K + p.head(b, Tk, i), D, 0,
                      scores.data() + p.block(b, i), Tk);
    return make_result<T>(
        "head_scores", std::move(scores), {query, keys},
        [p, alpha, query_shape = query.shape(), keys_shape = keys.shape()](const Backward<T>& ctx) {
          const T* Q = ctx.input(0).data();
          const T* K = ctx.input(1).data();
          const T* dS = ctx.grad_output().data();
          const std::size_t Tq = p.query_len, Tk = p.key_len, hd = p.head_dim, D = p.dim;
          ctx.write_grad(0, query_shape, [&](T* dQ, T beta) {
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_for(p.batch * D * Tq * Tk))
            for (std::size_t b = 0; b < p.batch; ++b)
              for (std::size_t i = 0; i < p.heads; ++i)
                blas::gemm<T>(false, false, Tq, hd, Tk, alpha, dS + p.block(b, i), Tk, K + p.head(b, Tk, i), D, beta,
                              dQ + p.head(b, Tq, i), D);
          });
          ctx.write_grad(1, keys_shape, [&](T* dK, T beta) {
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_for(p.batch * D * Tq * Tk))
            for (std::size_t b = 0; b < p.batch; ++b)
              for (std::size_t i = 0; i < p.heads; ++i)
                blas::gemm<T>(true, false, Tk, hd, Tq, alpha, dS + p.block(b, i), Tk, Q + p.head(b, Tq, i), D, beta,
                              dK + p.head(b, Tk, i), D);
          });
        });
  });
}

// Reference: reference_heads in layers/multi_head_attention.cpp; test: MultiHeadAttention.FusedHeadOpsEqualSplitHeadsMatmul.
// out[b, :, i hd : (i+1) hd] = W_bi V_bi  ([Tq, T] x [T, hd]);   dW_bi += dO_bi V_biᵀ,  dV_bi += W_biᵀ dO_bi
Tensor head_mix(const Tensor& weights, const Tensor& values) {
  ProfileScope scope("head_mix");
  const DType d = common_dtype({weights, values}, "head_mix");
  const Shape& ws = weights.shape();
  if (ws.size() != 4 || values.dim() != 3 || ws[0] != values.size(0) || ws[3] != values.size(1) || ws[1] == 0 ||
      values.size(2) % ws[1] != 0)
    throw std::invalid_argument("head_mix: needs weights [B, h, Tq, T] and values [B, T, D] with h dividing D, got " +
                                to_string(ws) + " and " + to_string(values.shape()));
  const HeadPlan p{ws[0], ws[2], ws[3], ws[1], values.size(2) / ws[1], values.size(2)};
  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    const T* W = values_of<T>(weights, "head_mix").data();
    const T* V = values_of<T>(values, "head_mix").data();
    const std::size_t Tq = p.query_len, Tk = p.key_len, hd = p.head_dim, D = p.dim;
    Array<T> out = Array<T>::from_shape({p.batch, Tq, D});
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_for(p.batch * D * Tq * Tk))
    for (std::size_t b = 0; b < p.batch; ++b)
      for (std::size_t i = 0; i < p.heads; ++i)
        blas::gemm<T>(false, false, Tq, hd, Tk, 1, W + p.block(b, i), Tk, V + p.head(b, Tk, i), D, 0,
                      out.data() + p.head(b, Tq, i), D);
    return make_result<T>(
        "head_mix", std::move(out), {weights, values},
        [p, weights_shape = weights.shape(), values_shape = values.shape()](const Backward<T>& ctx) {
          const T* W = ctx.input(0).data();
          const T* V = ctx.input(1).data();
          const T* dO = ctx.grad_output().data();
          const std::size_t Tq = p.query_len, Tk = p.key_len, hd = p.head_dim, D = p.dim;
          ctx.write_grad(0, weights_shape, [&](T* dW, T beta) {
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_for(p.batch * D * Tq * Tk))
            for (std::size_t b = 0; b < p.batch; ++b)
              for (std::size_t i = 0; i < p.heads; ++i)
                blas::gemm<T>(false, true, Tq, Tk, hd, 1, dO + p.head(b, Tq, i), D, V + p.head(b, Tk, i), D, beta,
                              dW + p.block(b, i), Tk);
          });
          ctx.write_grad(1, values_shape, [&](T* dV, T beta) {
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads_for(p.batch * D * Tq * Tk))
            for (std::size_t b = 0; b < p.batch; ++b)
              for (std::size_t i = 0; i < p.heads; ++i)
                blas::gemm<T>(true, false, Tk, hd, Tq, 1, W + p.block(b, i), Tk, dO + p.head(b, Tq, i), D, beta,
                              dV + p.head(b, Tk, i), D);
          });
        });
  });
}

}  // namespace recgrad
