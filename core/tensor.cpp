#include <algorithm>
#include <functional>
#include <sstream>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xio.hpp>

#include "core/random.h"
#include "core/tensor_impl.h"

namespace recgrad {

void run_backward(const std::shared_ptr<TensorImpl>& root, AnyArray seed);  // core/autograd.cpp

namespace {
template <class Fill>
Tensor make_leaf(const Shape& shape, DType dtype, Fill fill) {
  return dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    Array<T> a = Array<T>::from_shape(shape);
    T* p = a.data();
    for (std::size_t i = 0; i < a.size(); ++i) p[i] = static_cast<T>(fill(i));
    return Tensor(make_impl<T>(std::move(a)));
  });
}

TensorImpl& checked(const Tensor& t, const char* what) {
  if (!t.defined()) throw std::logic_error(std::string(what) + ": undefined tensor");
  return *t.impl();
}
}  // namespace

Tensor Tensor::zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor Tensor::ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor Tensor::full(const Shape& shape, double value, DType dtype) {
  return make_leaf(shape, dtype, [value](std::size_t) { return value; });
}
Tensor Tensor::scalar(double value, DType dtype) { return full({}, value, dtype); }

Tensor Tensor::from_vector(const Shape& shape, const std::vector<double>& values, DType dtype) {
  if (values.size() != recgrad::numel(shape))
    throw std::invalid_argument("Tensor::from_vector: " + std::to_string(values.size()) + " values for shape " +
                                recgrad::to_string(shape));
  return make_leaf(shape, dtype, [&](std::size_t i) { return values[i]; });
}

Tensor Tensor::randn(const Shape& shape, Rng& rng, DType dtype) {
  return make_leaf(shape, dtype, [&](std::size_t) { return rng.normal(); });
}

Tensor Tensor::uniform(const Shape& shape, double low, double high, Rng& rng, DType dtype) {
  return make_leaf(shape, dtype, [&](std::size_t) { return rng.uniform(low, high); });
}

const Shape& Tensor::shape() const { return checked(*this, "shape").shape; }
std::size_t Tensor::size(int axis) const { return shape()[normalize_axis(axis, dim(), "size")]; }
std::size_t Tensor::numel() const { return recgrad::numel(shape()); }
DType Tensor::dtype() const { return checked(*this, "dtype").dtype(); }

std::vector<double> Tensor::to_vector() const {
  return std::visit([](const auto& a) { return std::vector<double>(a.begin(), a.end()); },
                    checked(*this, "to_vector").data);
}

double Tensor::item() const {
  if (numel() != 1)
    throw std::invalid_argument("item: tensor of shape " + recgrad::to_string(shape()) + " has " +
                                std::to_string(numel()) + " elements, not 1");
  return to_vector()[0];
}

double Tensor::at(const std::vector<std::size_t>& index) const {
  const Shape& s = shape();
  if (index.size() != s.size())
    throw std::invalid_argument("at: " + std::to_string(index.size()) + " indices for shape " + recgrad::to_string(s));
  std::size_t flat = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (index[i] >= s[i])
      throw std::out_of_range("at: index " + std::to_string(index[i]) + " out of range for axis " + std::to_string(i) +
                              " of shape " + recgrad::to_string(s));
    flat = flat * s[i] + index[i];
  }
  return std::visit([flat](const auto& a) { return static_cast<double>(a.data()[flat]); }, impl_->data);
}

std::string Tensor::to_string() const {
  std::ostringstream out;
  out << "Tensor(" << recgrad::to_string(shape()) << ", " << dtype_name(dtype()) << ")\n";
  std::visit([&out](const auto& a) { out << a; }, impl_->data);
  return out.str();
}

template <class T>
const T* Tensor::data() const {
  return values_of<T>(*this, "data").data();
}
template <class T>
T* Tensor::mutable_data() {
  values_of<T>(*this, "mutable_data");  // checks defined and dtype
  return impl_->values<T>().data();
}
template <class T>
const T* Tensor::grad_data() const {
  values_of<T>(*this, "grad_data");
  return impl_->grad ? impl_->gradient<T>().data() : nullptr;
}
template <class T>
T* Tensor::mutable_grad_data() {
  values_of<T>(*this, "mutable_grad_data");
  return impl_->grad ? impl_->gradient<T>().data() : nullptr;
}
template const float* Tensor::grad_data<float>() const;
template const double* Tensor::grad_data<double>() const;
template float* Tensor::mutable_grad_data<float>();
template double* Tensor::mutable_grad_data<double>();
template const float* Tensor::data<float>() const;
template const double* Tensor::data<double>() const;
template float* Tensor::mutable_data<float>();
template double* Tensor::mutable_data<double>();

void Tensor::copy_from(const Tensor& src) {
  if (src.shape() != shape())
    throw std::invalid_argument("copy_from: shape " + recgrad::to_string(src.shape()) + " into " +
                                recgrad::to_string(shape()));
  std::visit([&](auto& dst) { std::visit([&](const auto& s) { std::copy(s.begin(), s.end(), dst.begin()); },
                                         src.impl()->data); },
             impl_->data);
}

bool Tensor::requires_grad() const { return defined() && impl_->requires_grad; }

Tensor& Tensor::requires_grad_(bool on) {
  if (!is_leaf()) throw std::logic_error("requires_grad_: only a leaf tensor's flag can be set; use detach()");
  impl_->requires_grad = on;
  return *this;
}

bool Tensor::is_leaf() const { return checked(*this, "is_leaf").grad_fn == nullptr && !impl_->graph_freed; }

Tensor Tensor::grad() const {
  const TensorImpl& t = checked(*this, "grad");
  if (!t.grad) return Tensor();
  return std::visit(
      [&t](const auto& g) {
        using A = std::decay_t<decltype(g)>;
        if (!t.grad_rows) return Tensor(make_impl(A(g)));
        A dense = xt::zeros<typename A::value_type>(t.shape);
        unpack_grad_rows(t, dense.data());
        return Tensor(make_impl(std::move(dense)));
      },
      *t.grad);
}

bool Tensor::has_grad() const { return checked(*this, "has_grad").grad.has_value(); }

const std::vector<std::int64_t>* Tensor::grad_rows() const {
  const TensorImpl& t = checked(*this, "grad_rows");
  return t.grad_rows ? &*t.grad_rows : nullptr;
}

void Tensor::zero_grad() {
  TensorImpl& t = checked(*this, "zero_grad");
  if (!t.grad) return;
  std::visit(
      [&t](auto& g) {
        if (!t.grad_rows) {
          g.fill(0);
          return;
        }
        g = std::decay_t<decltype(g)>::from_shape({0, t.shape[1]});  // row-sparse: no rows left
      },
      *t.grad);
  if (t.grad_rows) t.grad_rows->clear();
}

void Tensor::set_grad(const Tensor& grad) {
  TensorImpl& t = checked(*this, "set_grad");
  if (!is_leaf() || grad.shape() != t.shape || grad.dtype() != t.dtype())
    throw std::invalid_argument("set_grad: a " + recgrad::to_string(grad.shape()) + " " + dtype_name(grad.dtype()) +
                                " gradient for a " + (is_leaf() ? "" : "non-") + "leaf " +
                                recgrad::to_string(t.shape) + " " + dtype_name(t.dtype()));
  t.grad = grad.impl()->data;  // a copy
  t.grad_rows.reset();
}

void Tensor::set_grad_rows(std::vector<std::int64_t> rows, const Tensor& grad) {
  TensorImpl& t = checked(*this, "set_grad_rows");
  const bool sorted_unique = std::adjacent_find(rows.begin(), rows.end(), std::greater_equal<>()) == rows.end();
  const bool in_range = rows.empty() || (rows.front() >= 0 && static_cast<std::size_t>(rows.back()) < t.shape[0]);
  if (!is_leaf() || t.shape.size() != 2 || grad.shape() != Shape{rows.size(), t.shape[1]} ||
      grad.dtype() != t.dtype() || !sorted_unique || !in_range)
    throw std::invalid_argument("set_grad_rows: a " + recgrad::to_string(grad.shape()) + " " +
                                dtype_name(grad.dtype()) + " gradient of " + std::to_string(rows.size()) +
                                " rows (they must be sorted, unique and in range) for a " +
                                (is_leaf() ? "" : "non-") + "leaf " + recgrad::to_string(t.shape) + " " +
                                dtype_name(t.dtype()));
  t.grad = grad.impl()->data;  // a copy
  t.grad_rows = std::move(rows);
}

void Tensor::retain_grad() { checked(*this, "retain_grad").retains_grad = true; }

void Tensor::backward() const {
  if (numel() != 1)
    throw std::invalid_argument("backward: needs a one-element tensor (a loss), got shape " +
                                recgrad::to_string(shape()) + "; pass grad_output for others");
  backward(full(shape(), 1.0, dtype()));
}

void Tensor::backward(const Tensor& grad_output) const {
  if (grad_output.shape() != shape() || grad_output.dtype() != dtype())
    throw std::invalid_argument("backward: grad_output " + recgrad::to_string(grad_output.shape()) + " " +
                                dtype_name(grad_output.dtype()) + " does not match tensor " +
                                recgrad::to_string(shape()) + " " + dtype_name(dtype()));
  run_backward(impl_, grad_output.impl()->data);
}

Tensor Tensor::detach() const {
  return std::visit([](const auto& a) { return Tensor(make_impl(std::decay_t<decltype(a)>(a))); },
                    checked(*this, "detach").data);
}

Tensor Tensor::to(DType dtype) const {
  const TensorImpl& t = checked(*this, "to");
  return dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    return std::visit([](const auto& a) { return Tensor(make_impl<T>(Array<T>(xt::cast<T>(a)))); }, t.data);
  });
}

void Tensor::to_(DType dtype) {
  TensorImpl& t = checked(*this, "to_");
  if (!is_leaf()) throw std::logic_error("to_: only a leaf tensor converts in place (its graph saved the old values)");
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    const auto convert = [](const auto& a) { return AnyArray(Array<T>(xt::cast<T>(a))); };
    t.data = std::visit(convert, t.data);
    if (t.grad) t.grad = std::visit(convert, *t.grad);
  });
}

std::string Tensor::op_name() const {
  const TensorImpl& t = checked(*this, "op_name");
  return t.grad_fn ? t.grad_fn->name : "";
}

}  // namespace recgrad
