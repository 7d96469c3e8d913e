// Softmax and log-softmax along one axis, written as kernels over the lines of x seen as
// [outer, n, inner] (a plain loop is faster than an xtensor expression, and xtensor's lazy
// keep_dims reducers give wrong results: docs/xtensor.md).
//
// A mask (1 = leave out) removes entries from the normalisation. A line with nothing left gives
// zeros, not NaN as in PyTorch: an empty behaviour history is normal in recommendation.
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/ops.h"
#include "core/profile.h"
#include "core/ops/mask.h"
#include "core/parallel.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
// Calls f(offset of the line's first element) for every line along the axis; the line's entries
// are lines.inner apart. Lines are independent, so blocks of them go to threads.
template <class F>
void for_each_line(const AxisLines& lines, F f) {
#pragma omp parallel for schedule(static) num_threads(threads_for(lines.outer * lines.n * lines.inner))
  for (std::size_t o = 0; o < lines.outer; ++o)
    for (std::size_t i = 0; i < lines.inner; ++i) f(o * lines.n * lines.inner + i);
}

// Over the kept entries of one line: the largest value m and sum_j e^(x_j - m). Subtracting m keeps
// every exponent <= 0, so nothing overflows. m = -inf when nothing is kept.
template <class T>
struct LineStats {
  T max, sum;
};

template <class T>
LineStats<T> line_stats(const T* x, const std::uint8_t* masked, std::size_t n, std::size_t stride) {
  LineStats<T> s{-std::numeric_limits<T>::infinity(), T(0)};
  for (std::size_t j = 0; j < n; ++j)
    if (!masked || !masked[j * stride]) s.max = std::max(s.max, x[j * stride]);
  if (s.max == -std::numeric_limits<T>::infinity()) return s;
  for (std::size_t j = 0; j < n; ++j)
    if (!masked || !masked[j * stride]) s.sum += std::exp(x[j * stride] - s.max);
  return s;
}

// The mask flags of the line starting at `base`, or nullptr when there is no mask.
const std::uint8_t* line_mask(const std::vector<std::uint8_t>& masked, std::size_t base) {
  return masked.empty() ? nullptr : masked.data() + base;
}
}  // namespace

// y_j = e^(x_j - m) / sum_k e^(x_k - m) over kept entries, 0 at masked ones;
// dx_j = y_j (dy_j - sum_k y_k dy_k)  (masked entries and empty lines have y = 0, hence dx = 0)
Tensor softmax(const Tensor& x, int axis, const Tensor& mask) {
  ProfileScope scope("softmax");
  const AxisLines lines = axis_lines(x.shape(), normalize_axis(axis, x.dim(), "softmax"));
  const std::vector<std::uint8_t> masked = broadcast_mask(mask, x.shape(), "softmax");
  return dispatch(common_dtype({x}, "softmax"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "softmax").data();
    Array<T> y = Array<T>::from_shape(x.shape());
    const std::size_t n = lines.n, stride = lines.inner;
    for_each_line(lines, [&](std::size_t base) {
      const std::uint8_t* m = line_mask(masked, base);
      const LineStats<T> s = line_stats(v + base, m, n, stride);
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t at = base + j * stride;
        const bool kept = !m || !m[j * stride];
        y.data()[at] = kept && s.sum > 0 ? std::exp(v[at] - s.max) / s.sum : T(0);
      }
    });
    return make_result<T>("softmax", std::move(y), {x}, [lines](const Backward<T>& ctx) {
      const T* out = ctx.output().data();
      const T* dy = ctx.grad_output().data();
      Array<T> dx = Array<T>::from_shape(ctx.output().shape());
      const std::size_t n = lines.n, stride = lines.inner;
      for_each_line(lines, [&](std::size_t base) {
        T dot = 0;
        for (std::size_t j = 0; j < n; ++j) dot += out[base + j * stride] * dy[base + j * stride];
        for (std::size_t j = 0; j < n; ++j) {
          const std::size_t at = base + j * stride;
          dx.data()[at] = out[at] * (dy[at] - dot);
        }
      });
      ctx.accumulate(0, std::move(dx));
    });
  });
}

// y_j = x_j - m - log sum_k e^(x_k - m) over kept entries, 0 at masked ones;
// dx_j = dy_j - softmax_j * sum_k dy_k over kept entries (softmax_j = e^(y_j)), 0 at masked ones
Tensor log_softmax(const Tensor& x, int axis, const Tensor& mask) {
  ProfileScope scope("log_softmax");
  const AxisLines lines = axis_lines(x.shape(), normalize_axis(axis, x.dim(), "log_softmax"));
  std::vector<std::uint8_t> masked = broadcast_mask(mask, x.shape(), "log_softmax");
  return dispatch(common_dtype({x}, "log_softmax"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "log_softmax").data();
    Array<T> y = Array<T>::from_shape(x.shape());
    const std::size_t n = lines.n, stride = lines.inner;
    for_each_line(lines, [&](std::size_t base) {
      const std::uint8_t* m = line_mask(masked, base);
      const LineStats<T> s = line_stats(v + base, m, n, stride);
      const T log_norm = s.max + std::log(s.sum);  // only used when some entry is kept (sum >= 1)
      for (std::size_t j = 0; j < n; ++j) {
        const std::size_t at = base + j * stride;
        const bool kept = !m || !m[j * stride];
        y.data()[at] = kept ? v[at] - log_norm : T(0);
      }
    });
    auto backward = [lines, masked = std::move(masked)](const Backward<T>& ctx) {
      const T* out = ctx.output().data();
      const T* dy = ctx.grad_output().data();
      Array<T> dx = Array<T>::from_shape(ctx.output().shape());
      const std::size_t n = lines.n, stride = lines.inner;
      for_each_line(lines, [&](std::size_t base) {
        const std::uint8_t* m = line_mask(masked, base);
        T kept_sum = 0;
        for (std::size_t j = 0; j < n; ++j)
          if (!m || !m[j * stride]) kept_sum += dy[base + j * stride];
        for (std::size_t j = 0; j < n; ++j) {
          const std::size_t at = base + j * stride;
          const bool kept = !m || !m[j * stride];
          dx.data()[at] = kept ? dy[at] - std::exp(out[at]) * kept_sum : T(0);
        }
      });
      ctx.accumulate(0, std::move(dx));
    };
    return make_result<T>("log_softmax", std::move(y), {x}, std::move(backward));
  });
}

}  // namespace recgrad
