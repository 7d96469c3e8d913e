// Losses.
#include <algorithm>
#include <cmath>

#include "core/ops.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

// loss = mean over all N elements of  max(x, 0) - x y + log(1 + e^-|x|)
// which equals -[y log σ(x) + (1 - y) log(1 - σ(x))] but never takes the log of 0 or e^x of a
// large x, so logits of ±1e4 stay finite.
// dx = dloss (σ(x) - y) / N. The targets are read by the backward, never given a gradient.
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets) {
  ProfileScope scope("bce_with_logits");
  if (logits.defined() && targets.defined() && logits.shape() != targets.shape())
    throw std::invalid_argument("bce_with_logits: logits of shape " + to_string(logits.shape()) +
                                " and targets of shape " + to_string(targets.shape()) + " must match");
  const DType d = common_dtype({logits, targets}, "bce_with_logits");
  if (logits.numel() == 0) throw std::invalid_argument("bce_with_logits: empty input (the mean is undefined)");
  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    const Array<T>& x = values_of<T>(logits, "bce_with_logits");
    const Array<T>& y = values_of<T>(targets, "bce_with_logits");
    const std::size_t n = x.size();
    T total = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const T v = x.data()[k];
      total += std::max(v, T(0)) - v * y.data()[k] + std::log1p(std::exp(-std::abs(v)));
    }
    Array<T> loss = Array<T>::from_shape(Shape{});
    loss() = total / static_cast<T>(n);
    return make_result<T>("bce_with_logits", std::move(loss), {logits, targets}, [n](const Backward<T>& ctx) {
      if (!ctx.needs_grad(0)) return;
      const Array<T>& x = ctx.input(0);
      const Array<T>& y = ctx.input(1);
      const T scale = ctx.grad_output()() / static_cast<T>(n);
      Array<T> dx = Array<T>::from_shape(x.shape());
      for (std::size_t k = 0; k < n; ++k) {
        const T v = x.data()[k];
        const T e = std::exp(-std::abs(v));  // σ(x) from e^-|x|, finite for any x
        const T sigma = v >= 0 ? T(1) / (T(1) + e) : e / (T(1) + e);
        dx.data()[k] = scale * (sigma - y.data()[k]);
      }
      ctx.accumulate(0, std::move(dx));
    });
  });
}

}  // namespace recgrad
