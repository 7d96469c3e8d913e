// The affine map of a Linear layer as one op: y = x Wᵀ + b.
//
// It equals matmul(x, transpose(weight, 0, 1)) + bias (tests/core/test_linear_op.cpp checks both ways
// agree in float64), but costs less: Wᵀ reaches gemm as a transpose flag instead of a copied
// transpose, the bias is written into the output before the gemm adds x Wᵀ to it (beta = 1) instead of
// a broadcasting add that allocates a second [rows, out] array, and the bias gradient is a column sum
// instead of the engine's generic broadcast reduction.
#include <algorithm>

#include "core/blas.h"
#include "core/ops.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

// Reference: Linear's reference form (layers/linear.cpp); test: Linear.FusedOpEqualsMatmulWithTransposedWeightPlusBias.
// x [..., in], weight [out, in], bias [out] or undefined -> y [..., out]; all leading axes are rows
// of one gemm.  dx = dy W,  dW = dyᵀ x,  db = Σ_rows dy.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  ProfileScope scope("linear");
  const bool has_bias = bias.defined();
  const DType d = has_bias ? common_dtype({x, weight, bias}, "linear") : common_dtype({x, weight}, "linear");
  if (weight.dim() != 2 || x.dim() == 0 || x.size(-1) != weight.size(1) ||
      (has_bias && (bias.dim() != 1 || bias.size(0) != weight.size(0))))
    throw std::invalid_argument("linear: x " + to_string(x.shape()) + ", weight " + to_string(weight.shape()) +
                                (has_bias ? ", bias " + to_string(bias.shape()) : std::string()) +
                                " do not fit (need x [..., in], weight [out, in], bias [out])");
  const std::size_t in = weight.size(1), out = weight.size(0), rows = x.numel() / in;
  Shape out_shape = x.shape();
  out_shape.back() = out;
  std::vector<Tensor> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);

  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    const T* X = values_of<T>(x, "linear").data();
    const T* W = values_of<T>(weight, "linear").data();
    Array<T> y = Array<T>::from_shape(out_shape);
    T* Y = y.data();
    if (has_bias) {
      const T* b = values_of<T>(bias, "linear").data();
      for (std::size_t r = 0; r < rows; ++r) std::copy(b, b + out, Y + r * out);
    }
    blas::gemm<T>(false, true, rows, out, in, 1, X, in, W, in, has_bias ? 1 : 0, Y, out);

    // The gradients go straight into the inputs' grad buffers (Backward::write_grad): no temporaries.
    return make_result<T>(
        "linear", std::move(y), inputs, [rows, in, out, has_bias, x_shape = x.shape()](const Backward<T>& ctx) {
          const T* dY = ctx.grad_output().data();
          ctx.write_grad(0, x_shape, [&](T* dx, T beta) {
            blas::gemm<T>(false, false, rows, in, out, 1, dY, out, ctx.input(1).data(), in, beta, dx, in);
          });
          ctx.write_grad(1, {out, in}, [&](T* dW, T beta) {
            blas::gemm<T>(true, false, out, in, rows, 1, dY, out, ctx.input(0).data(), in, beta, dW, in);
          });
          if (!has_bias) return;
          ctx.write_grad(2, {out}, [&](T* db, T beta) {
            if (beta == 0) std::fill_n(db, out, T(0));
            for (std::size_t r = 0; r < rows; ++r)
              for (std::size_t j = 0; j < out; ++j) db[j] += dY[r * out + j];
          });
        });
  });
}

}  // namespace recgrad
