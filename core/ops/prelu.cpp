// PReLU as one op: y = x for x > 0, weight * x otherwise, with one slope or one per feature (last
// axis). Composed as relu(x) - weight * relu(-x) it takes four passes with a broadcast and their four
// backwards; here it is one pass each way.
#include <algorithm>
#include <string>
#include <vector>

#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

// Reference: PReLU's reference form (layers/activations.cpp); test: PReLU.FusedOpEqualsReluComposition.
// x [..., D], weight [1] or [D] -> y [..., D].
// dx = dy where x > 0, weight dy elsewhere (PyTorch's choice at x = 0);  dweight = Σ dy min(x, 0).
Tensor prelu(const Tensor& x, const Tensor& weight) {
  ProfileScope scope("prelu");
  const std::size_t slopes = weight.dim() == 1 ? weight.size(0) : 0;
  if (slopes == 0 || x.dim() == 0 || (slopes > 1 && x.size(-1) != slopes))
    throw std::invalid_argument("prelu: x " + to_string(x.shape()) + " and weight " + to_string(weight.shape()) +
                                " do not fit (need weight [1], or x [..., D] and weight [D])");
  return dispatch(common_dtype({x, weight}, "prelu"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "prelu").data();
    const T* a = values_of<T>(weight, "prelu").data();
    // x as [rows, D]; feature j uses slope[j] (the one shared slope repeated, or its own). The loops are
    // branch-free (max/min and selects), so the compiler vectorises them: with `x > 0 ? ... : ...`
    // branches on data of random sign this op was slower than its four-pass reference.
    const std::size_t D = x.size(-1), rows = x.numel() / D;
    std::vector<T> slope(D);
    for (std::size_t j = 0; j < D; ++j) slope[j] = a[slopes > 1 ? j : 0];
    Array<T> y = Array<T>::from_shape(x.shape());
    T* out = y.data();
#pragma omp parallel for schedule(static) num_threads(threads_for(rows * D))
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < D; ++j) {
        const std::size_t i = r * D + j;
        out[i] = std::max(v[i], T(0)) + slope[j] * std::min(v[i], T(0));
      }
    return make_result<T>("prelu", std::move(y), {x, weight}, [rows, D, slopes, slope](const Backward<T>& ctx) {
      const T *dy = ctx.grad_output().data(), *v = ctx.input(0).data();
      if (ctx.needs_grad(0)) {
        Array<T> dx = Array<T>::from_shape(ctx.input(0).shape());
        T* dxd = dx.data();
#pragma omp parallel for schedule(static) num_threads(threads_for(rows * D))
        for (std::size_t r = 0; r < rows; ++r)
          for (std::size_t j = 0; j < D; ++j) {
            const std::size_t i = r * D + j;
            dxd[i] = dy[i] * (v[i] > T(0) ? T(1) : slope[j]);
          }
        ctx.accumulate(0, std::move(dx));
      }
      if (ctx.needs_grad(1)) {
        const int team = threads_for(rows * D);
        PartialSums<double> sums(team, D);  // Σ over rows of dy min(x, 0), in double; then folded into the slopes
#pragma omp parallel for schedule(static) num_threads(team)
        for (std::size_t r = 0; r < rows; ++r) {
          double* sum = sums.mine();
          for (std::size_t j = 0; j < D; ++j) {
            const std::size_t i = r * D + j;
            sum[j] += dy[i] * std::min(v[i], T(0));
          }
        }
        const std::vector<double> per_feature = sums.total();
        Array<T> da = Array<T>::from_shape({slopes});
        std::fill(da.begin(), da.end(), T(0));
        for (std::size_t j = 0; j < D; ++j) da.data()[slopes > 1 ? j : 0] += per_feature[j];
        ctx.accumulate(1, std::move(da));
      }
    });
  });
}

}  // namespace recgrad
