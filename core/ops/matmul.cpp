// Matrix multiplication, 2-D and batched, every product through BLAS gemm.
#include <xtensor/xbuilder.hpp>

#include "core/blas.h"
#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
// Row-major offsets of each broadcast batch entry into a tensor whose batch dims are `batch`.
std::vector<std::size_t> batch_offsets(const Shape& batch, const Shape& out_batch, std::size_t matrix_size) {
  const std::size_t n = numel(out_batch), lead = out_batch.size() - batch.size();
  std::vector<std::size_t> offsets(n);
  for (std::size_t flat = 0; flat < n; ++flat) {
    std::size_t rem = flat, offset = 0, stride = matrix_size;
    for (std::size_t d = out_batch.size(); d-- > 0;) {
      const std::size_t idx = rem % out_batch[d];
      rem /= out_batch[d];
      if (d < lead) continue;
      const std::size_t size = batch[d - lead];
      if (size != 1) offset += idx * stride;
      stride *= size;
    }
    offsets[flat] = offset;
  }
  return offsets;
}

struct MatmulPlan {
  std::size_t m, k, n;
  Shape out_batch;
  std::vector<std::size_t> a_offsets, b_offsets;  // per batch entry
};

MatmulPlan plan(const Shape& as, const Shape& bs) {
  if (as.size() < 2 || bs.size() < 2 || as[as.size() - 1] != bs[bs.size() - 2])
    throw std::invalid_argument("matmul: shapes " + to_string(as) + " and " + to_string(bs) +
                                " do not multiply (need [..., M, K] x [..., K, N])");
  MatmulPlan p;
  p.m = as[as.size() - 2];
  p.k = as.back();
  p.n = bs.back();
  const Shape a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  p.out_batch = broadcast_shapes(a_batch, b_batch, "matmul (batch dims)");
  p.a_offsets = batch_offsets(a_batch, p.out_batch, p.m * p.k);
  p.b_offsets = batch_offsets(b_batch, p.out_batch, p.k * p.n);
  return p;
}
}  // namespace

// Y = A B.   dA += dY Bᵀ,  dB += Aᵀ dY  (per batch entry; broadcast batch dims are summed by accumulate)
Tensor matmul(const Tensor& a, const Tensor& b) {
  ProfileScope scope("matmul");
  const DType d = common_dtype({a, b}, "matmul");
  MatmulPlan p = plan(a.shape(), b.shape());
  Shape out_shape = p.out_batch;
  out_shape.push_back(p.m);
  out_shape.push_back(p.n);
  // A projection [..., M, K] x [K, N] is one gemm over all rows: [prod(...) * M, K] x [K, N].
  const bool projection = b.dim() == 2 && numel(Shape(a.shape().begin(), a.shape().end() - 2)) == numel(p.out_batch);
  const std::size_t batches = numel(p.out_batch);

  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    const T* A = values_of<T>(a, "matmul").data();
    const T* B = values_of<T>(b, "matmul").data();
    Array<T> y = Array<T>::from_shape(out_shape);
    if (projection) {
      blas::gemm<T>(false, false, batches * p.m, p.n, p.k, 1, A, p.k, B, p.n, 0, y.data(), p.n);
    } else {
#pragma omp parallel for schedule(static) num_threads(threads_for(batches * p.m * p.n * p.k))
      for (std::size_t i = 0; i < batches; ++i)
        blas::gemm<T>(false, false, p.m, p.n, p.k, 1, A + p.a_offsets[i], p.k, B + p.b_offsets[i], p.n, 0,
                      y.data() + i * p.m * p.n, p.n);
    }
    // Each gradient is written by gemm straight into the input's grad buffer (beta = 1 adds to a
    // gradient already there); only an input broadcast over batch dims gets a temporary to reduce.
    return make_result<T>("matmul", std::move(y), {a, b}, [p = std::move(p), projection, batches](
                                                            const Backward<T>& ctx) {
      const T* A = ctx.input(0).data();
      const T* B = ctx.input(1).data();
      const T* dY = ctx.grad_output().data();
      Shape da_shape = p.out_batch, db_shape = p.out_batch;  // dA = dY Bᵀ, dB = Aᵀ dY, in the broadcast batch shape
      da_shape.insert(da_shape.end(), {p.m, p.k});
      db_shape.insert(db_shape.end(), {p.k, p.n});
      if (projection) db_shape = {p.k, p.n};
      ctx.write_grad(0, da_shape, [&](T* dA, T beta) {
        if (projection) {
          blas::gemm<T>(false, true, batches * p.m, p.k, p.n, 1, dY, p.n, B, p.n, beta, dA, p.k);
          return;
        }
#pragma omp parallel for schedule(static) num_threads(threads_for(batches * p.m * p.n * p.k))
        for (std::size_t i = 0; i < batches; ++i)
          blas::gemm<T>(false, true, p.m, p.k, p.n, 1, dY + i * p.m * p.n, p.n, B + p.b_offsets[i], p.n, beta,
                        dA + i * p.m * p.k, p.k);
      });
      ctx.write_grad(1, db_shape, [&](T* dB, T beta) {
        if (projection) {
          blas::gemm<T>(true, false, p.k, p.n, batches * p.m, 1, A, p.k, dY, p.n, beta, dB, p.n);
          return;
        }
#pragma omp parallel for schedule(static) num_threads(threads_for(batches * p.m * p.n * p.k))
        for (std::size_t i = 0; i < batches; ++i)
          blas::gemm<T>(true, false, p.k, p.n, p.m, 1, A + p.a_offsets[i], p.k, dY + i * p.m * p.n, p.n, beta,
                        dB + i * p.k * p.n, p.n);
      });
    });
  });
}

}  // namespace recgrad
