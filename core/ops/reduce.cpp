// Reductions: sum and mean over axes (or all), max along one axis.
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xsort.hpp>

#include "core/ops.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
std::vector<std::size_t> normalize_axes(const std::vector<int>& axes, std::size_t rank, const char* op) {
  std::vector<std::size_t> out;
  for (int a : axes) {
    const std::size_t n = normalize_axis(a, rank, op);
    if (std::find(out.begin(), out.end(), n) != out.end())
      throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(a) + " given twice");
    out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The shape with the reduced axes kept as 1: the gradient broadcasts back from it.
Shape keepdims_shape(const Shape& s, const std::vector<std::size_t>& axes) {
  Shape k = s;
  for (std::size_t a : axes) k[a] = 1;
  return k;
}

Shape reduced_shape(const Shape& s, const std::vector<std::size_t>& axes, bool keepdims) {
  if (keepdims) return keepdims_shape(s, axes);
  Shape r;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (std::find(axes.begin(), axes.end(), i) == axes.end()) r.push_back(s[i]);
  return r;
}

// y = sum over `axes` of x * scale;  dx += scale * dy broadcast back over the reduced axes
Tensor scaled_sum(const char* name, const Tensor& x, const std::vector<std::size_t>& axes, bool keepdims,
                  double scale) {
  ProfileScope scope(name);
  const Shape in_shape = x.shape();
  const Shape out_shape = reduced_shape(in_shape, axes, keepdims);
  return dispatch(common_dtype({x}, name), [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = xt::sum(values_of<T>(x, name), axes, xt::evaluation_strategy::immediate);
    if (scale != 1.0) y *= static_cast<T>(scale);
    y.reshape(out_shape);
    return make_result<T>(name, std::move(y), {x}, [in_shape, axes, scale](const Backward<T>& ctx) {
      Array<T> dy = ctx.grad_output();
      dy.reshape(keepdims_shape(in_shape, axes));
      ctx.accumulate(0, xt::broadcast(dy * static_cast<T>(scale), in_shape));
    });
  });
}

std::vector<std::size_t> all_axes(std::size_t rank) {
  std::vector<std::size_t> axes(rank);
  for (std::size_t i = 0; i < rank; ++i) axes[i] = i;
  return axes;
}
}  // namespace

Tensor sum(const Tensor& x) { return scaled_sum("sum", x, all_axes(x.dim()), false, 1.0); }

Tensor sum(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  return scaled_sum("sum", x, normalize_axes(axes, x.dim(), "sum"), keepdims, 1.0);
}

Tensor mean(const Tensor& x) { return scaled_sum("mean", x, all_axes(x.dim()), false, 1.0 / double(x.numel())); }

Tensor mean(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  const auto a = normalize_axes(axes, x.dim(), "mean");
  std::size_t count = 1;
  for (std::size_t i : a) count *= x.shape()[i];
  return scaled_sum("mean", x, a, keepdims, 1.0 / double(count));
}

// y = max along axis;  dx += dy at the first position of the maximum, 0 elsewhere
Tensor max(const Tensor& x, int axis, bool keepdims) {
  ProfileScope scope("max");
  const std::size_t ax = normalize_axis(axis, x.dim(), "max");
  const Shape in_shape = x.shape();
  if (in_shape[ax] == 0) throw std::invalid_argument("max: axis " + std::to_string(axis) + " is empty");
  const AxisLines lines = axis_lines(in_shape, ax);  // scan each line
  const std::size_t outer = lines.outer, n = lines.n, inner = lines.inner;
  return dispatch(common_dtype({x}, "max"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "max").data();
    std::vector<std::size_t> argmax(outer * inner);
    Array<T> y = Array<T>::from_shape(reduced_shape(in_shape, {ax}, keepdims));
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t i = 0; i < inner; ++i) {
        std::size_t best = 0;
        for (std::size_t j = 1; j < n; ++j)
          if (v[(o * n + j) * inner + i] > v[(o * n + best) * inner + i]) best = j;
        argmax[o * inner + i] = best;
        y.data()[o * inner + i] = v[(o * n + best) * inner + i];
      }
    return make_result<T>("max", std::move(y), {x}, [argmax = std::move(argmax), in_shape, n, inner](
                                                        const Backward<T>& ctx) {
      Array<T> dx = xt::zeros<T>(in_shape);
      const T* dy = ctx.grad_output().data();
      for (std::size_t k = 0; k < argmax.size(); ++k) {
        const std::size_t o = k / inner, i = k % inner;
        dx.data()[(o * n + argmax[k]) * inner + i] += dy[k];
      }
      ctx.accumulate(0, std::move(dx));
    });
  });
}

}  // namespace recgrad
