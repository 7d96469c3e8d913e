// The first layer of DIN's activation unit, factored. The paper feeds every (query, key) pair's
// features [q, k, q - k, q * k] (4D) to a Linear W [H, 4D]. Split W by columns into the blocks that
// see each part, W = [W_q, W_k, W_d, W_p] (each [H, D]); the layer is linear in its input, so
//   W [q, k, q - k, q * k] + b = (W_q + W_d) q + b  +  [W_k - W_d, W_p] [k, q * k]
//                              =   Q[query row]     +   W_pair [k, q * k]
// Q = query (W_q + W_d)ᵀ + b [Nq, H] is computed once per query (the candidate item: once per
// sample) instead of once per history position, and the per-pair gemm is 2D wide instead of 4D.
// With one query per sample that halves the layer; no [P, 4D] features are built. Exact (rounding
// aside): the tests compare it with linear(concat(...)) in float64 to 1e-12, values and gradients.
#include <algorithm>
#include <string>

#include "core/blas.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/row_grad.h"
#include "core/storage_pool.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
void check_rows(const std::vector<std::int64_t>& rows, std::size_t n, const char* which) {
  for (std::size_t p = 0; p < rows.size(); ++p)
    if (rows[p] < 0 || static_cast<std::size_t>(rows[p]) >= n)
      throw std::out_of_range(std::string("din_pair_linear: ") + which + " row " + std::to_string(rows[p]) +
                              " (pair " + std::to_string(p) + ") is out of range for " + std::to_string(n) + " rows");
}

// add(rows[p], p) for the pairs p in `order` (positions_by_row), on the threads: `order` cut into one
// block per thread at row boundaries, so that each row's sum is made by one thread in pair order,
// the serial loop's bit for bit.
template <class Add>
void scatter_by_row(const std::vector<std::int64_t>& rows, const PooledVector<std::size_t>& order,
                    std::size_t work, Add add) {
  const std::size_t P = order.size();
#pragma omp parallel num_threads(threads_for(work))
  {
    const std::size_t team = std::size_t(omp_get_num_threads());
    auto block_start = [&](std::size_t t) {  // the first pair of a row at or after t P / team in order
      std::size_t i = t * P / team;
      while (i > 0 && i < P && rows[order[i]] == rows[order[i - 1]]) ++i;
      return i;
    };
    const std::size_t t = std::size_t(omp_get_thread_num());
    for (std::size_t i = block_start(t), end = block_start(t + 1); i < end; ++i)
      add(std::size_t(rows[order[i]]), order[i]);
  }
}
}  // namespace

// Reference: score_pairs in layers/din_attention.cpp; test: DinAttention.FusedFormEqualsThePapersFeaturesThroughTheMlp.
// y[p] = W [q, k, q - k, q * k] + b with q = query[query_rows[p]], k = keys[key_rows[p]]:
// query [Nq, D], keys [Nk, D], weight [H, 4D], bias [H] or undefined -> y [P, H].
// Backward, with pair[p] = [k, q * k] [P, 2D], dpair = dy W_pair [P, 2D] = [dk_direct, dprod] and
// dQ[r] = Σ_{p: query_rows[p] = r} dy[p]:
//   dquery[r] = dQ[r] (W_q + W_d) + Σ_{p: query_rows[p] = r} dprod[p] * k
//   dkeys[s]  = Σ_{p: key_rows[p] = s} dk_direct[p] + dprod[p] * q
//   dW_q = dQᵀ query,  [dW_k, dW_p] = dyᵀ pair,  dW_d = dW_q - dW_k,  db = Σ_r dQ[r]
Tensor din_pair_linear(const Tensor& query, const Tensor& keys, const std::vector<std::int64_t>& query_rows,
                       const std::vector<std::int64_t>& key_rows, const Tensor& weight, const Tensor& bias) {
  ProfileScope scope("din_pair_linear");
  const bool has_bias = bias.defined();
  const DType d = has_bias ? common_dtype({query, keys, weight, bias}, "din_pair_linear")
                           : common_dtype({query, keys, weight}, "din_pair_linear");
  const std::size_t D = query.dim() == 2 ? query.size(1) : 0;
  if (D == 0 || keys.dim() != 2 || keys.size(1) != D || weight.dim() != 2 || weight.size(1) != 4 * D ||
      (has_bias && (bias.dim() != 1 || bias.size(0) != weight.size(0))))
    throw std::invalid_argument("din_pair_linear: query " + to_string(query.shape()) + ", keys " +
                                to_string(keys.shape()) + ", weight " + to_string(weight.shape()) +
                                (has_bias ? ", bias " + to_string(bias.shape()) : std::string()) +
                                " do not fit (need query [Nq, D], keys [Nk, D], weight [H, 4D], bias [H])");
  if (query_rows.size() != key_rows.size())
    throw std::invalid_argument("din_pair_linear: " + std::to_string(query_rows.size()) + " query rows but " +
                                std::to_string(key_rows.size()) + " key rows");
  const std::size_t Nq = query.size(0), Nk = keys.size(0), H = weight.size(0), P = query_rows.size();
  check_rows(query_rows, Nq, "query");
  check_rows(key_rows, Nk, "key");
  std::vector<Tensor> inputs{query, keys, weight};
  if (has_bias) inputs.push_back(bias);

  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    const T* q = values_of<T>(query, "din_pair_linear").data();
    const T* k = values_of<T>(keys, "din_pair_linear").data();
    const T* W = values_of<T>(weight, "din_pair_linear").data();
    // W_query = W_q + W_d [H, D] and W_pair = [W_k - W_d, W_p] [H, 2D].
    PooledVector<T> W_query(H * D), W_pair(H * 2 * D);
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t j = 0; j < D; ++j) {
        const T* row = W + h * 4 * D;
        W_query[h * D + j] = row[j] + row[2 * D + j];
        W_pair[h * 2 * D + j] = row[D + j] - row[2 * D + j];
        W_pair[h * 2 * D + D + j] = row[3 * D + j];
      }
    PooledVector<T> Q(Nq * H);  // query W_queryᵀ + b [Nq, H]
    if (has_bias) {
      const T* b = values_of<T>(bias, "din_pair_linear").data();
      for (std::size_t r = 0; r < Nq; ++r) std::copy(b, b + H, Q.data() + r * H);
    }
    blas::gemm<T>(false, true, Nq, H, D, 1, q, D, W_query.data(), D, has_bias ? 1 : 0, Q.data(), H);

    // pair = [k, q * k] [P, 2D]; y starts as each pair's row of Q, then gets pair W_pairᵀ added.
    Array<T> pair = Array<T>::from_shape({P, 2 * D});
    Array<T> y = Array<T>::from_shape({P, H});
#pragma omp parallel for schedule(static) num_threads(threads_for(P * (2 * D + H)))
    for (std::size_t p = 0; p < P; ++p) {
      const T* qp = q + static_cast<std::size_t>(query_rows[p]) * D;
      const T* kp = k + static_cast<std::size_t>(key_rows[p]) * D;
      T* row = pair.data() + p * 2 * D;
      for (std::size_t j = 0; j < D; ++j) {
        row[j] = kp[j];
        row[D + j] = qp[j] * kp[j];
      }
      std::copy_n(Q.data() + static_cast<std::size_t>(query_rows[p]) * H, H, y.data() + p * H);
    }
    blas::gemm<T>(false, true, P, H, 2 * D, 1, pair.data(), 2 * D, W_pair.data(), 2 * D, 1, y.data(), H);

    return make_result<T>(
        "din_pair_linear", std::move(y), inputs,
        [=, W_query = std::move(W_query), W_pair = std::move(W_pair), pair = std::move(pair)](const Backward<T>& ctx) {
          const T* dy = ctx.grad_output().data();
          const T* q = ctx.input(0).data();
          const T* k = ctx.input(1).data();
          // Each scatter below sums each destination row's pairs in pair order, on one thread.
          const PooledVector<std::size_t> by_query = positions_by_row(query_rows, -1, Nq);
          PooledVector<T> dQ(Nq * H, T(0));  // dy summed per query row
          scatter_by_row(query_rows, by_query, P * H, [&](std::size_t r, std::size_t p) {
            T* dQr = dQ.data() + r * H;
            for (std::size_t h = 0; h < H; ++h) dQr[h] += dy[p * H + h];
          });
          if (ctx.needs_grad(0) || ctx.needs_grad(1)) {
            Array<T> dpair = Array<T>::from_shape({P, 2 * D});  // [dk_direct, dprod]
            blas::gemm<T>(false, false, P, 2 * D, H, 1, dy, H, W_pair.data(), 2 * D, 0, dpair.data(), 2 * D);
            if (ctx.needs_grad(0)) {
              Array<T> dq = Array<T>::from_shape({Nq, D});
              blas::gemm<T>(false, false, Nq, D, H, 1, dQ.data(), H, W_query.data(), D, 0, dq.data(), D);
              scatter_by_row(query_rows, by_query, P * D, [&](std::size_t r, std::size_t p) {
                T* dqr = dq.data() + r * D;
                const T* kp = k + static_cast<std::size_t>(key_rows[p]) * D;
                const T* dprod = dpair.data() + p * 2 * D + D;
                for (std::size_t j = 0; j < D; ++j) dqr[j] += dprod[j] * kp[j];
              });
              ctx.accumulate(0, std::move(dq));
            }
            if (ctx.needs_grad(1)) {
              Array<T> dk = Array<T>::from_shape({Nk, D});
              std::fill(dk.begin(), dk.end(), T(0));
              const PooledVector<std::size_t> by_key = positions_by_row(key_rows, -1, Nk);
              scatter_by_row(key_rows, by_key, P * 2 * D, [&](std::size_t s, std::size_t p) {
                T* dks = dk.data() + s * D;
                const T* qp = q + static_cast<std::size_t>(query_rows[p]) * D;
                const T* dpp = dpair.data() + p * 2 * D;
                for (std::size_t j = 0; j < D; ++j) dks[j] += dpp[j] + dpp[D + j] * qp[j];
              });
              ctx.accumulate(1, std::move(dk));
            }
          }
          if (ctx.needs_grad(2)) {
            PooledVector<T> dW_query(H * D), dW_pair(H * 2 * D);
            blas::gemm<T>(true, false, H, D, Nq, 1, dQ.data(), H, q, D, 0, dW_query.data(), D);
            blas::gemm<T>(true, false, H, 2 * D, P, 1, dy, H, pair.data(), 2 * D, 0, dW_pair.data(), 2 * D);
            Array<T> dW = Array<T>::from_shape({H, 4 * D});
            for (std::size_t h = 0; h < H; ++h) {
              T* row = dW.data() + h * 4 * D;
              const T* dWq = dW_query.data() + h * D;
              const T* dWk = dW_pair.data() + h * 2 * D;
              for (std::size_t j = 0; j < D; ++j) {
                row[j] = dWq[j];
                row[D + j] = dWk[j];
                row[2 * D + j] = dWq[j] - dWk[j];
                row[3 * D + j] = dWk[D + j];
              }
            }
            ctx.accumulate(2, std::move(dW));
          }
          if (has_bias && ctx.needs_grad(3)) {
            Array<T> db = Array<T>::from_shape({H});
            std::fill(db.begin(), db.end(), T(0));
            for (std::size_t r = 0; r < Nq; ++r)
              for (std::size_t h = 0; h < H; ++h) db.data()[h] += dQ[r * H + h];
            ctx.accumulate(3, std::move(db));
          }
        });
  });
}

}  // namespace recgrad
