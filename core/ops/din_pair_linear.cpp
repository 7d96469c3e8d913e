// The first layer of DIN's activation unit, factored. The paper feeds every (query, key) pair's
// features [q, k, q - k, q * k] (4D) to a Linear W [H, 4D]. Split W by columns into the blocks that
// see each part, W = [W_q, W_k, W_d, W_p] (each [H, D]); the layer is linear in its input, so
//   W [q, k, q - k, q * k] + b = (W_q + W_d) q + (W_k - W_d) k + W_p (q * k) + b
//                              =      Q[query row]     +      K[key row]     + W_p (q * k)
// with Q = query (W_q + W_d)ᵀ + b [Nq, H] and K = keys (W_k - W_d)ᵀ [Nk, H] computed once per row,
// not once per pair: with T keys per query that saves most of the layer, and no [P, 4D] feature
// table is built. Only W_p (q * k) is per pair. Exact (rounding aside): the tests compare it with
// linear(concat(...)) in float64 to 1e-12, values and every gradient.
#include <algorithm>
#include <string>

#include "core/blas.h"
#include "core/ops.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
void check_rows(const std::vector<std::int64_t>& rows, std::size_t n, const char* which) {
  for (std::size_t p = 0; p < rows.size(); ++p)
    if (rows[p] < 0 || static_cast<std::size_t>(rows[p]) >= n)
      throw std::out_of_range(std::string("din_pair_linear: ") + which + " row " + std::to_string(rows[p]) +
                              " (pair " + std::to_string(p) + ") is out of range for " + std::to_string(n) + " rows");
}
}  // namespace

// y[p] = W [q, k, q - k, q * k] + b with q = query[query_rows[p]], k = keys[key_rows[p]]:
// query [Nq, D], keys [Nk, D], weight [H, 4D], bias [H] or undefined -> y [P, H].
// Backward, with dQ[r] = Σ_{p: query_rows[p] = r} dy[p] and dK likewise, and prod[p] = q * k:
//   dquery = dQ (W_q + W_d) + Σ_p (dy[p] W_p) * k      dkeys = dK (W_k - W_d) + Σ_p (dy[p] W_p) * q
//   dW_q = dQᵀ query,  dW_k = dKᵀ keys,  dW_d = dW_q - dW_k,  dW_p = dyᵀ prod,  db = Σ_p dy[p]
Tensor din_pair_linear(const Tensor& query, const Tensor& keys, const std::vector<std::int64_t>& query_rows,
                       const std::vector<std::int64_t>& key_rows, const Tensor& weight, const Tensor& bias) {
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
    // The three [H, D] blocks that act on q, k and q * k.
    std::vector<T> W_query(H * D), W_key(H * D), W_prod(H * D);
    for (std::size_t h = 0; h < H; ++h)
      for (std::size_t j = 0; j < D; ++j) {
        const T* row = W + h * 4 * D;
        W_query[h * D + j] = row[j] + row[2 * D + j];
        W_key[h * D + j] = row[D + j] - row[2 * D + j];
        W_prod[h * D + j] = row[3 * D + j];
      }
    std::vector<T> Q(Nq * H), K(Nk * H);  // Q = query W_queryᵀ + b [Nq, H], K = keys W_keyᵀ [Nk, H]
    if (has_bias) {
      const T* b = values_of<T>(bias, "din_pair_linear").data();
      for (std::size_t r = 0; r < Nq; ++r) std::copy(b, b + H, Q.data() + r * H);
    }
    blas::gemm<T>(false, true, Nq, H, D, 1, q, D, W_query.data(), D, has_bias ? 1 : 0, Q.data(), H);
    blas::gemm<T>(false, true, Nk, H, D, 1, k, D, W_key.data(), D, 0, K.data(), H);

    std::vector<T> prod(P * D);  // q * k per pair [P, D]
    Array<T> y = Array<T>::from_shape({P, H});
    for (std::size_t p = 0; p < P; ++p) {
      const T* qp = q + static_cast<std::size_t>(query_rows[p]) * D;
      const T* kp = k + static_cast<std::size_t>(key_rows[p]) * D;
      for (std::size_t j = 0; j < D; ++j) prod[p * D + j] = qp[j] * kp[j];
      const T* Qp = Q.data() + static_cast<std::size_t>(query_rows[p]) * H;
      const T* Kp = K.data() + static_cast<std::size_t>(key_rows[p]) * H;
      T* yp = y.data() + p * H;
      for (std::size_t h = 0; h < H; ++h) yp[h] = Qp[h] + Kp[h];
    }
    blas::gemm<T>(false, true, P, H, D, 1, prod.data(), D, W_prod.data(), D, 1, y.data(), H);

    return make_result<T>(
        "din_pair_linear", std::move(y), inputs,
        [=, W_query = std::move(W_query), W_key = std::move(W_key), W_prod = std::move(W_prod),
         prod = std::move(prod)](const Backward<T>& ctx) {
          const T* dy = ctx.grad_output().data();
          std::vector<T> dQ(Nq * H, T(0)), dK(Nk * H, T(0));  // dy summed per query row and per key row
          for (std::size_t p = 0; p < P; ++p) {
            T* dQp = dQ.data() + static_cast<std::size_t>(query_rows[p]) * H;
            T* dKp = dK.data() + static_cast<std::size_t>(key_rows[p]) * H;
            for (std::size_t h = 0; h < H; ++h) {
              dQp[h] += dy[p * H + h];
              dKp[h] += dy[p * H + h];
            }
          }
          const T* q = ctx.input(0).data();
          const T* k = ctx.input(1).data();
          if (ctx.needs_grad(0) || ctx.needs_grad(1)) {
            std::vector<T> dprod(P * D);  // dy W_p [P, D]
            blas::gemm<T>(false, false, P, D, H, 1, dy, H, W_prod.data(), D, 0, dprod.data(), D);
            if (ctx.needs_grad(0)) {
              Array<T> dq = Array<T>::from_shape({Nq, D});
              blas::gemm<T>(false, false, Nq, D, H, 1, dQ.data(), H, W_query.data(), D, 0, dq.data(), D);
              for (std::size_t p = 0; p < P; ++p) {
                T* dqp = dq.data() + static_cast<std::size_t>(query_rows[p]) * D;
                const T* kp = k + static_cast<std::size_t>(key_rows[p]) * D;
                for (std::size_t j = 0; j < D; ++j) dqp[j] += dprod[p * D + j] * kp[j];
              }
              ctx.accumulate(0, std::move(dq));
            }
            if (ctx.needs_grad(1)) {
              Array<T> dk = Array<T>::from_shape({Nk, D});
              blas::gemm<T>(false, false, Nk, D, H, 1, dK.data(), H, W_key.data(), D, 0, dk.data(), D);
              for (std::size_t p = 0; p < P; ++p) {
                T* dkp = dk.data() + static_cast<std::size_t>(key_rows[p]) * D;
                const T* qp = q + static_cast<std::size_t>(query_rows[p]) * D;
                for (std::size_t j = 0; j < D; ++j) dkp[j] += dprod[p * D + j] * qp[j];
              }
              ctx.accumulate(1, std::move(dk));
            }
          }
          if (ctx.needs_grad(2)) {
            std::vector<T> dW_query(H * D), dW_key(H * D);
            Array<T> dW = Array<T>::from_shape({H, 4 * D});
            blas::gemm<T>(true, false, H, D, Nq, 1, dQ.data(), H, q, D, 0, dW_query.data(), D);
            blas::gemm<T>(true, false, H, D, Nk, 1, dK.data(), H, k, D, 0, dW_key.data(), D);
            // dW_p lands straight in its columns of dW: row stride 4D.
            blas::gemm<T>(true, false, H, D, P, 1, dy, H, prod.data(), D, 0, dW.data() + 3 * D, 4 * D);
            for (std::size_t h = 0; h < H; ++h) {
              T* row = dW.data() + h * 4 * D;
              for (std::size_t j = 0; j < D; ++j) {
                row[j] = dW_query[h * D + j];
                row[D + j] = dW_key[h * D + j];
                row[2 * D + j] = dW_query[h * D + j] - dW_key[h * D + j];
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
