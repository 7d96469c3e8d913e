// PReLU as one op: y = x for x > 0, weight * x otherwise, with one slope or one per feature (last
// axis). Composed as relu(x) - weight * relu(-x) it takes four passes with a broadcast and their four
// backwards; here it is one pass each way.
#include <algorithm>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/tensor_impl.h"

namespace recgrad {

// Reference: PReLU's reference form (layers/activations.cpp); test: PReLU.FusedOpEqualsReluComposition.
// x [..., D], weight [1] or [D] -> y [..., D].
// dx = dy where x > 0, weight dy elsewhere (PyTorch's choice at x = 0);  dweight = Σ dy min(x, 0).
Tensor prelu(const Tensor& x, const Tensor& weight) {
  const std::size_t slopes = weight.dim() == 1 ? weight.size(0) : 0;
  if (slopes == 0 || x.dim() == 0 || (slopes > 1 && x.size(-1) != slopes))
    throw std::invalid_argument("prelu: x " + to_string(x.shape()) + " and weight " + to_string(weight.shape()) +
                                " do not fit (need weight [1], or x [..., D] and weight [D])");
  return dispatch(common_dtype({x, weight}, "prelu"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "prelu").data();
    const T* a = values_of<T>(weight, "prelu").data();
    // x as [rows, D]; feature j uses slope j, or slope 0 when it is shared.
    const std::size_t D = x.size(-1), rows = x.numel() / D, step = slopes > 1 ? 1 : 0;
    Array<T> y = Array<T>::from_shape(x.shape());
    T* out = y.data();
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < D; ++j) {
        const std::size_t i = r * D + j;
        out[i] = v[i] > T(0) ? v[i] : a[j * step] * v[i];
      }
    return make_result<T>("prelu", std::move(y), {x, weight}, [rows, D, step, slopes](const Backward<T>& ctx) {
      const T *dy = ctx.grad_output().data(), *v = ctx.input(0).data(), *a = ctx.input(1).data();
      if (ctx.needs_grad(0)) {
        Array<T> dx = Array<T>::from_shape(ctx.input(0).shape());
        T* dxd = dx.data();
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t j = 0; j < D; ++j) {
            const std::size_t i = r * D + j;
            dxd[i] = v[i] > T(0) ? dy[i] : a[j * step] * dy[i];
          }
        ctx.accumulate(0, std::move(dx));
      }
      if (ctx.needs_grad(1)) {
        std::vector<T> per_feature(D, T(0));  // Σ over rows of dy min(x, 0), then folded into the slopes
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t j = 0; j < D; ++j) {
            const std::size_t i = r * D + j;
            per_feature[j] += v[i] < T(0) ? dy[i] * v[i] : T(0);
          }
        Array<T> da = Array<T>::from_shape({slopes});
        std::fill(da.begin(), da.end(), T(0));
        for (std::size_t j = 0; j < D; ++j) da.data()[j * step] += per_feature[j];
        ctx.accumulate(1, std::move(da));
      }
    });
  });
}

}  // namespace recgrad
