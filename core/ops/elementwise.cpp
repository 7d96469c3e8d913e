// Elementwise ops. Pattern for every op in core/ops: forward computes the values and hands them to
// make_result with the backward right below; backward reads grad_output (dy), the inputs and the
// output, and accumulates d(loss)/d(input) into each input that needs it.
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

namespace {
// forward(a, b) with broadcasting. The readable form is xtensor's broadcasting expression; the shapes
// the models make, equal ones and one operand repeated along the other's leading axes ([B, T, D] +
// [T, D]: a position embedding, a bias), take a loop over rows of y on the threads (core/parallel.h).
// Same values: each element is forward of the same two numbers
// (Elementwise.RowLoopAndXtensorFormsGiveEachElementOfTheDefinitionBitForBit).
template <class T, class Forward>
Array<T> broadcast_apply(const Array<T>& a, const Array<T>& b, const Shape& as, const Shape& bs, const Shape& out,
                         Forward forward) {
  const std::size_t n = numel(out);
  std::size_t cols = 0;  // y as [n / cols, cols]; a repeated operand is one row of it
  if (as == out && bs == out)
    cols = out.empty() ? 1 : out.back();
  else if (as == out)
    cols = repeated_block(bs, out);
  else if (bs == out)
    cols = repeated_block(as, out);
  if (cols == 0 || n == 0) return forward(a, b);
  const std::size_t a_step = as == out ? cols : 0, b_step = bs == out ? cols : 0;
  Array<T> y = Array<T>::from_shape(out);
  const T *pa = a.data(), *pb = b.data();
  T* py = y.data();
#pragma omp parallel for schedule(static) num_threads(threads_for(n))
  for (std::size_t r = 0; r < n / cols; ++r)
    for (std::size_t j = 0; j < cols; ++j) py[r * cols + j] = forward(pa[r * a_step + j], pb[r * b_step + j]);
  return y;
}

// Binary op on two tensors of one dtype; `forward(a, b)` (on arrays and on numbers) and
// `backward(ctx, a, b, dy)` are generic.
template <class Forward, class BackwardFn>
Tensor binary(const char* name, const Tensor& a, const Tensor& b, Forward forward, BackwardFn backward) {
  ProfileScope scope(name);
  const DType d = common_dtype({a, b}, name);
  const Shape out = broadcast_shapes(a.shape(), b.shape(), name);  // a clear error before xtensor's
  return dispatch(d, [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = broadcast_apply<T>(values_of<T>(a, name), values_of<T>(b, name), a.shape(), b.shape(), out, forward);
    return make_result<T>(name, std::move(y), {a, b}, [backward](const Backward<T>& ctx) {
      backward(ctx, ctx.input(0), ctx.input(1), ctx.grad_output());
    });
  });
}

template <class Forward, class BackwardFn>
Tensor unary(const char* name, const Tensor& x, Forward forward, BackwardFn backward) {
  ProfileScope scope(name);
  return dispatch(common_dtype({x}, name), [&](auto zero) {
    using T = decltype(zero);
    Array<T> y = forward(values_of<T>(x, name));
    return make_result<T>(name, std::move(y), {x}, [backward](const Backward<T>& ctx) {
      ctx.accumulate(0, backward(ctx.input(0), ctx.output(), ctx.grad_output()));
    });
  });
}
}  // namespace

// y = a + b;  da += dy, db += dy (summed back over broadcast axes by accumulate)
Tensor add(const Tensor& a, const Tensor& b) {
  return binary(
      "add", a, b, [](const auto& x, const auto& y) { return x + y; },
      [](const auto& ctx, const auto&, const auto&, const auto& dy) {
        ctx.accumulate(0, dy);
        ctx.accumulate(1, dy);
      });
}

// y = a - b;  da += dy, db -= dy
Tensor sub(const Tensor& a, const Tensor& b) {
  return binary(
      "sub", a, b, [](const auto& x, const auto& y) { return x - y; },
      [](const auto& ctx, const auto&, const auto&, const auto& dy) {
        ctx.accumulate(0, dy);
        ctx.accumulate(1, -dy);
      });
}

// y = a * b;  da += dy * b, db += dy * a
Tensor mul(const Tensor& a, const Tensor& b) {
  return binary(
      "mul", a, b, [](const auto& x, const auto& y) { return x * y; },
      [](const auto& ctx, const auto& x, const auto& y, const auto& dy) {
        ctx.accumulate(0, dy * y);
        ctx.accumulate(1, dy * x);
      });
}

// y = a / b;  da += dy / b, db -= dy * a / b^2
Tensor div(const Tensor& a, const Tensor& b) {
  return binary(
      "div", a, b, [](const auto& x, const auto& y) { return x / y; },
      [](const auto& ctx, const auto& x, const auto& y, const auto& dy) {
        ctx.accumulate(0, dy / y);
        ctx.accumulate(1, -dy * x / (y * y));
      });
}

// y = -x;  dx -= dy
Tensor neg(const Tensor& x) {
  return unary(
      "neg", x, [](const auto& v) { return -v; }, [](const auto&, const auto&, const auto& dy) { return -dy; });
}

// y = x + s;  dx += dy
Tensor add_scalar(const Tensor& x, double s) {
  return unary(
      "add_scalar", x,
      [s](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return v + static_cast<T>(s);
      },
      [](const auto&, const auto&, const auto& dy) { return dy; });
}

// y = x * s;  dx += s * dy
Tensor mul_scalar(const Tensor& x, double s) {
  return unary(
      "mul_scalar", x,
      [s](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return v * static_cast<T>(s);
      },
      [s](const auto&, const auto&, const auto& dy) {
        using T = typename std::decay_t<decltype(dy)>::value_type;
        return dy * static_cast<T>(s);
      });
}

// y = x^p;  dx += dy * p * x^(p-1)
Tensor pow(const Tensor& x, double p) {
  return unary(
      "pow", x,
      [p](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return xt::pow(v, static_cast<T>(p));
      },
      [p](const auto& v, const auto&, const auto& dy) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return dy * static_cast<T>(p) * xt::pow(v, static_cast<T>(p - 1));
      });
}

// y = e^x;  dx += dy * y
Tensor exp(const Tensor& x) {
  return unary(
      "exp", x, [](const auto& v) { return xt::exp(v); },
      [](const auto&, const auto& y, const auto& dy) { return dy * y; });
}

// y = ln x;  dx += dy / x
Tensor log(const Tensor& x) {
  return unary(
      "log", x, [](const auto& v) { return xt::log(v); },
      [](const auto& v, const auto&, const auto& dy) { return dy / v; });
}

// y = sqrt x;  dx += dy / (2 y)
Tensor sqrt(const Tensor& x) {
  return unary(
      "sqrt", x, [](const auto& v) { return xt::sqrt(v); },
      [](const auto&, const auto& y, const auto& dy) { return dy / (y + y); });
}

// y = 1 / (1 + e^-x);  dx += dy * y * (1 - y)
Tensor sigmoid(const Tensor& x) {
  return unary(
      "sigmoid", x,
      [](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        // Both branches are finite for any x: e^-|x| never overflows. e is evaluated: the returned
        // expression would otherwise refer to a local that is gone (AddressSanitizer caught it).
        const Array<T> e = xt::exp(-xt::abs(v));
        return Array<T>(xt::where(v >= T(0), T(1) / (T(1) + e), e / (T(1) + e)));
      },
      [](const auto&, const auto& y, const auto& dy) {
        using T = typename std::decay_t<decltype(y)>::value_type;
        return dy * y * (T(1) - y);
      });
}

// y = tanh x;  dx += dy * (1 - y^2)
Tensor tanh(const Tensor& x) {
  return unary(
      "tanh", x, [](const auto& v) { return xt::tanh(v); },
      [](const auto&, const auto& y, const auto& dy) {
        using T = typename std::decay_t<decltype(y)>::value_type;
        return dy * (T(1) - y * y);
      });
}

// y = max(x, 0);  dx += dy where x > 0 (the subgradient 0 at x = 0, as PyTorch)
Tensor relu(const Tensor& x) {
  return unary(
      "relu", x,
      [](const auto& v) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return xt::maximum(v, T(0));
      },
      [](const auto& v, const auto&, const auto& dy) {
        using T = typename std::decay_t<decltype(v)>::value_type;
        return xt::where(v > T(0), dy, T(0));
      });
}

}  // namespace recgrad
