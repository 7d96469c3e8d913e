// Choosing between values by a 0/1 tensor: where, masked_fill, and the padding mask that feeds them
// and softmax. Conditions and masks are data, not parameters: they get no gradient.
#include <algorithm>

#include <xtensor/xbroadcast.hpp>

#include "core/ops.h"
#include "core/profile.h"
#include "core/ops/mask.h"
#include "core/tensor_impl.h"

namespace recgrad {

std::vector<std::uint8_t> broadcast_mask(const Tensor& mask, const Shape& shape, const char* op) {
  if (!mask.defined()) return {};
  const Shape& ms = mask.shape();
  bool fits = ms.size() <= shape.size();
  for (std::size_t i = 0; fits && i < ms.size(); ++i) {
    const std::size_t target = shape[shape.size() - ms.size() + i];
    fits = ms[i] == target || ms[i] == 1;
  }
  if (!fits)
    throw std::invalid_argument(std::string(op) + ": mask of shape " + to_string(ms) + " does not broadcast to shape " +
                                to_string(shape));
  std::vector<std::uint8_t> flags(numel(shape));
  dispatch(mask.dtype(), [&](auto zero) {
    using T = decltype(zero);
    auto expanded = xt::broadcast(mask.impl()->values<T>(), shape);
    std::transform(expanded.begin(), expanded.end(), flags.begin(), [](T m) { return m != T(0); });
  });
  return flags;
}

// y = cond ? a : b, all three broadcast together;  da += dy where cond, db += dy elsewhere
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  ProfileScope scope("where");
  if (!cond.defined()) throw std::invalid_argument("where: undefined cond");
  const DType d = common_dtype({a, b}, "where");
  const Shape out_shape = broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), "where"), cond.shape(), "where");
  std::vector<std::uint8_t> pick_a = broadcast_mask(cond, out_shape, "where");
  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = xt::broadcast(values_of<T>(a, "where"), out_shape);
    const Array<T> from_b = xt::broadcast(values_of<T>(b, "where"), out_shape);
    for (std::size_t k = 0; k < y.size(); ++k)
      if (!pick_a[k]) y.data()[k] = from_b.data()[k];
    return make_result<T>("where", std::move(y), {a, b}, [pick_a = std::move(pick_a)](const Backward<T>& ctx) {
      // Input 0 (a) gets dy where cond picked it, input 1 (b) everywhere else.
      for (std::size_t input = 0; input < 2; ++input) {
        if (!ctx.needs_grad(input)) continue;
        Array<T> g = ctx.grad_output();
        for (std::size_t k = 0; k < g.size(); ++k)
          if (bool(pick_a[k]) != (input == 0)) g.data()[k] = 0;
        ctx.accumulate(input, std::move(g));  // summed back to the input's shape
      }
    });
  });
}

// y = mask ? value : x (mask broadcast to x's shape);  dx += dy where the mask is 0
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  ProfileScope scope("masked_fill");
  if (!mask.defined()) throw std::invalid_argument("masked_fill: undefined mask");
  std::vector<std::uint8_t> masked = broadcast_mask(mask, x.shape(), "masked_fill");
  return dispatch(common_dtype({x}, "masked_fill"), [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = values_of<T>(x, "masked_fill");
    for (std::size_t k = 0; k < y.size(); ++k)
      if (masked[k]) y.data()[k] = static_cast<T>(value);
    return make_result<T>("masked_fill", std::move(y), {x}, [masked = std::move(masked)](const Backward<T>& ctx) {
      Array<T> dx = ctx.grad_output();
      for (std::size_t k = 0; k < dx.size(); ++k)
        if (masked[k]) dx.data()[k] = 0;
      ctx.accumulate(0, std::move(dx));
    });
  });
}

// mask[b, t] = 1 if t >= lengths[b]: [B, T]
Tensor padding_mask(const std::vector<std::size_t>& lengths, std::size_t T, DType dtype) {
  std::vector<double> values(lengths.size() * T);
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    if (lengths[b] > T)
      throw std::invalid_argument("padding_mask: lengths[" + std::to_string(b) + "] = " + std::to_string(lengths[b]) +
                                  " exceeds T = " + std::to_string(T));
    for (std::size_t t = lengths[b]; t < T; ++t) values[b * T + t] = 1.0;
  }
  return Tensor::from_vector({lengths.size(), T}, values, dtype);
}

}  // namespace recgrad
