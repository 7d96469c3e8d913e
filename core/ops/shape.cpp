// Shape ops: they move values around without changing them, so each backward moves the gradient
// back the same way (reshape back, inverse permutation, cut the concatenation apart, pad the slice).
#include <algorithm>
#include <numeric>

#include <xtensor/xbuilder.hpp>

#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
// dst = src with its axes reordered: output axis d is input axis axes[d].
// Trailing axes that stay in place are copied as contiguous blocks (attention's [B, T, h, d] ->
// [B, h, T, d] copies rows of head_dim); an odometer walks the moved axes.
template <class T>
void permute_copy(const T* src, const Shape& in_shape, const std::vector<std::size_t>& axes, T* dst) {
  std::size_t kept = in_shape.size();  // axes [kept, rank) are not moved
  while (kept > 0 && axes[kept - 1] == kept - 1) --kept;
  std::size_t block = 1;
  for (std::size_t d = kept; d < in_shape.size(); ++d) block *= in_shape[d];

  std::vector<std::size_t> in_strides(in_shape.size());
  for (std::size_t d = in_shape.size(), s = 1; d-- > 0; s *= in_shape[d]) in_strides[d] = s;
  Shape walk(kept);                     // output sizes of the moved axes
  std::vector<std::size_t> step(kept);  // input stride of each of them
  for (std::size_t d = 0; d < kept; ++d) {
    walk[d] = in_shape[axes[d]];
    step[d] = in_strides[axes[d]];
  }
  std::vector<std::size_t> index(kept, 0);
  std::size_t offset = 0;
  const std::size_t blocks = numel(walk);
  for (std::size_t b = 0; b < blocks; ++b) {
    std::copy_n(src + offset, block, dst + b * block);
    for (std::size_t d = kept; d-- > 0;) {  // next output index, last axis fastest
      offset += step[d];
      if (++index[d] < walk[d]) break;
      offset -= step[d] * walk[d];
      index[d] = 0;
    }
  }
}

Tensor permute_op(const char* name, const Tensor& x, const std::vector<std::size_t>& axes) {
  ProfileScope scope(name);
  const Shape in_shape = x.shape();
  std::vector<std::size_t> sorted = axes;
  std::sort(sorted.begin(), sorted.end());
  bool valid = sorted.size() == in_shape.size();
  for (std::size_t d = 0; valid && d < sorted.size(); ++d) valid = sorted[d] == d;
  if (!valid)
    throw std::invalid_argument(std::string(name) + ": axes " + to_string(axes) +
                                " are not a permutation of the axes of shape " + to_string(in_shape));
  Shape out_shape(axes.size());
  std::vector<std::size_t> inverse(axes.size());
  for (std::size_t d = 0; d < axes.size(); ++d) {
    out_shape[d] = in_shape[axes[d]];
    inverse[axes[d]] = d;
  }
  return dispatch(common_dtype({x}, name), [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = Array<T>::from_shape(out_shape);
    permute_copy(values_of<T>(x, name).data(), in_shape, axes, y.data());
    return make_result<T>(name, std::move(y), {x}, [in_shape, out_shape, inverse](const Backward<T>& ctx) {
      Array<T> dx = Array<T>::from_shape(in_shape);
      permute_copy(ctx.grad_output().data(), out_shape, inverse, dx.data());
      ctx.accumulate(0, std::move(dx));
    });
  });
}
}  // namespace

// y = x viewed with a new shape (row-major order kept);  dx += dy viewed with x's shape
Tensor reshape(const Tensor& x, const Shape& shape) {
  ProfileScope scope("reshape");
  const Shape in_shape = x.shape();
  if (numel(shape) != numel(in_shape))
    throw std::invalid_argument("reshape: cannot view shape " + to_string(in_shape) + " (" +
                                std::to_string(numel(in_shape)) + " elements) as " + to_string(shape) + " (" +
                                std::to_string(numel(shape)) + " elements)");
  return dispatch(common_dtype({x}, "reshape"), [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = Array<T>::from_shape(shape);
    copy_on_threads(values_of<T>(x, "reshape").data(), numel(shape), y.data());
    return make_result<T>("reshape", std::move(y), {x}, [in_shape](const Backward<T>& ctx) {
      Array<T> dx = Array<T>::from_shape(in_shape);
      copy_on_threads(ctx.grad_output().data(), numel(in_shape), dx.data());
      ctx.accumulate(0, std::move(dx));
    });
  });
}

// y = x with axes axis0 and axis1 swapped (q·kᵀ uses transpose(keys, -2, -1))
Tensor transpose(const Tensor& x, int axis0, int axis1) {
  const std::size_t a = normalize_axis(axis0, x.dim(), "transpose");
  const std::size_t b = normalize_axis(axis1, x.dim(), "transpose");
  std::vector<std::size_t> axes(x.dim());
  std::iota(axes.begin(), axes.end(), 0);
  std::swap(axes[a], axes[b]);
  return permute_op("transpose", x, axes);
}

// y.shape[d] = x.shape[axes[d]];  dx += dy permuted by the inverse of axes
Tensor permute(const Tensor& x, const std::vector<std::size_t>& axes) { return permute_op("permute", x, axes); }

// y = [t0 | t1 | ...] along axis: every line of y is the lines of the inputs one after another;
// d t_k += the part of dy that came from t_k
Tensor concat(const std::vector<Tensor>& tensors, int axis) {
  ProfileScope scope("concat");
  if (tensors.empty()) throw std::invalid_argument("concat: no tensors given");
  const DType dtype = common_dtype(tensors, "concat");
  const Shape& first = tensors.front().shape();
  const std::size_t ax = normalize_axis(axis, first.size(), "concat");
  Shape out_shape = first;
  out_shape[ax] = 0;
  std::vector<std::size_t> sizes;  // each input's extent along axis
  for (const Tensor& t : tensors) {
    Shape s = t.shape();
    if (s.size() == first.size()) s[ax] = first[ax];
    if (s != first)
      throw std::invalid_argument("concat: shape " + to_string(t.shape()) + " does not fit " + to_string(first) +
                                  " along axis " + std::to_string(axis) + " (all other sizes must match)");
    sizes.push_back(t.shape()[ax]);
    out_shape[ax] += sizes.back();
  }
  const AxisLines lines = axis_lines(out_shape, ax);
  return dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<const T*> inputs;
    for (const Tensor& t : tensors) inputs.push_back(values_of<T>(t, "concat").data());
    Array<T> y = Array<T>::from_shape(out_shape);
    const std::size_t line = lines.n * lines.inner;  // one line of y: a chunk of each input, in order
#pragma omp parallel for schedule(static) num_threads(threads_for(numel(out_shape)))
    for (std::size_t o = 0; o < lines.outer; ++o) {
      T* out = y.data() + o * line;
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        const std::size_t chunk = sizes[k] * lines.inner;  // one line of input k, contiguous
        out = std::copy_n(inputs[k] + o * chunk, chunk, out);
      }
    }
    return make_result<T>("concat", std::move(y), tensors, [sizes, lines](const Backward<T>& ctx) {
      const T* dy = ctx.grad_output().data();
      for (std::size_t k = 0, before = 0; k < sizes.size(); before += sizes[k], ++k) {
        if (!ctx.needs_grad(k)) continue;
        const std::size_t chunk = sizes[k] * lines.inner;
        Array<T> dt = Array<T>::from_shape(ctx.input(k).shape());
#pragma omp parallel for schedule(static) num_threads(threads_for(lines.outer * chunk))
        for (std::size_t o = 0; o < lines.outer; ++o)
          std::copy_n(dy + (o * lines.n + before) * lines.inner, chunk, dt.data() + o * chunk);
        ctx.accumulate(k, std::move(dt));
      }
    });
  });
}

// y = x[..., start:end, ...] along axis;  dx += dy placed at [start, end), 0 elsewhere
Tensor slice(const Tensor& x, int axis, std::size_t start, std::size_t end) {
  ProfileScope scope("slice");
  const Shape in_shape = x.shape();
  const std::size_t ax = normalize_axis(axis, in_shape.size(), "slice");
  if (start > end || end > in_shape[ax])
    throw std::invalid_argument("slice: range [" + std::to_string(start) + ", " + std::to_string(end) +
                                ") does not fit axis " + std::to_string(axis) + " of shape " + to_string(in_shape));
  Shape out_shape = in_shape;
  out_shape[ax] = end - start;
  const AxisLines lines = axis_lines(in_shape, ax);
  const std::size_t chunk = (end - start) * lines.inner;  // the kept part of one line, contiguous
  return dispatch(common_dtype({x}, "slice"), [&](auto zero) {
    using T = decltype(zero);
    const T* v = values_of<T>(x, "slice").data();
    Array<T> y = Array<T>::from_shape(out_shape);
    for (std::size_t o = 0; o < lines.outer; ++o)
      std::copy_n(v + (o * lines.n + start) * lines.inner, chunk, y.data() + o * chunk);
    return make_result<T>("slice", std::move(y), {x}, [in_shape, lines, start, chunk](const Backward<T>& ctx) {
      Array<T> dx = xt::zeros<T>(in_shape);
      const T* dy = ctx.grad_output().data();
      for (std::size_t o = 0; o < lines.outer; ++o)
        std::copy_n(dy + o * chunk, chunk, dx.data() + (o * lines.n + start) * lines.inner);
      ctx.accumulate(0, std::move(dx));
    });
  });
}

// Consecutive slices of the given sizes along axis (the sizes must add up to the axis' size).
std::vector<Tensor> split(const Tensor& x, const std::vector<std::size_t>& sizes, int axis) {
  const std::size_t ax = normalize_axis(axis, x.dim(), "split");
  const std::size_t total = std::accumulate(sizes.begin(), sizes.end(), std::size_t{0});
  if (total != x.shape()[ax])
    throw std::invalid_argument("split: sizes add up to " + std::to_string(total) + " but axis " +
                                std::to_string(axis) + " of shape " + to_string(x.shape()) + " has " +
                                std::to_string(x.shape()[ax]));
  std::vector<Tensor> parts;
  for (std::size_t i = 0, start = 0; i < sizes.size(); start += sizes[i], ++i)
    parts.push_back(slice(x, axis, start, start + sizes[i]));
  return parts;
}

}  // namespace recgrad
