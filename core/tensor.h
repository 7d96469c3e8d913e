#pragma once
// Tensor: a cheap handle (shared_ptr) to data, an optional gradient, and the graph node that made it.
// Copying a Tensor copies the handle, not the data: `Tensor b = a;` names the same tensor.
//
// The storage is an xtensor array, kept out of this header so that code using tensors compiles fast;
// op kernels reach it through core/tensor_impl.h.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace recgrad {

struct TensorImpl;
class Rng;

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (e.g. the grad of a tensor that got none)
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // Factories. Values are given row-major.
  static Tensor zeros(const Shape& shape, DType dtype = DType::Float32);
  static Tensor ones(const Shape& shape, DType dtype = DType::Float32);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::Float32);
  static Tensor scalar(double value, DType dtype = DType::Float32);  // shape []
  static Tensor from_vector(const Shape& shape, const std::vector<double>& values, DType dtype = DType::Float32);
  static Tensor randn(const Shape& shape, Rng& rng, DType dtype = DType::Float32);
  static Tensor uniform(const Shape& shape, double low, double high, Rng& rng, DType dtype = DType::Float32);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  std::size_t dim() const { return shape().size(); }
  std::size_t size(int axis) const;  // axis may be negative
  std::size_t numel() const;
  DType dtype() const;

  std::vector<double> to_vector() const;  // row-major copy of the values
  double item() const;                    // the value of a one-element tensor
  double at(const std::vector<std::size_t>& index) const;
  std::string to_string() const;

  // Raw row-major buffers, for kernels outside core (optimizers, layers with fused loops).
  // T must match dtype(); throws otherwise.
  template <class T>
  const T* data() const;
  template <class T>
  T* mutable_data();  // writing into a tensor that a live graph saved gives wrong gradients: do it after backward
  // The gradient buffer, or nullptr when there is none. Dense: numel() elements, laid out as the
  // values. Row-sparse (grad_rows() not null): grad_rows()->size() rows of size(1) elements, row i
  // holding the gradient of row (*grad_rows())[i]; all other rows have gradient zero.
  template <class T>
  const T* grad_data() const;
  template <class T>
  T* mutable_grad_data();  // for in-place edits such as clipping
  void copy_from(const Tensor& src);  // same shape; converts dtype; no graph

  // Autograd.
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);  // leaves only
  bool is_leaf() const;                    // made by the user, not by an op that records a graph
  Tensor grad() const;                     // a dense copy; undefined until a backward reached this tensor
  bool has_grad() const;                   // false until a backward reached this tensor (torch: grad is None)
  // Rows that received gradient, sorted, when only gather_rows fed this leaf; the gradient is then
  // stored row-sparse (see grad_data). nullptr: a dense gradient, every row may be non-zero.
  const std::vector<std::int64_t>* grad_rows() const;
  void zero_grad();                        // grad to zero in place; a row-sparse grad keeps no rows
  // Replace a leaf's gradient by one computed outside backward, such as a sum across processes
  // (train/distributed.cpp): dense, `grad` shaped and typed like this tensor; or row-sparse, `grad`
  // [rows.size(), size(1)] holding the gradients of the sorted, unique `rows`. Throw on a mismatch.
  void set_grad(const Tensor& grad);
  void set_grad_rows(std::vector<std::int64_t> rows, const Tensor& grad);
  void retain_grad();                      // keep the grad of a non-leaf after backward (for inspection)
  void backward() const;                   // seeds d(this)/d(this) = 1; this must hold one element
  void backward(const Tensor& grad_output) const;
  Tensor detach() const;                   // a new leaf with a copy of the values
  Tensor to(DType dtype) const;            // a new leaf with converted values
  void to_(DType dtype);                   // converts a leaf's values (and grad) in place; handles stay valid
  std::string op_name() const;             // the op that made this tensor ("" for a leaf)

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

// Tensors by name, in a fixed order: parameters ("attention.q_proj.weight"), optimizer state, checkpoints.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// While alive, ops record no graph (evaluation, optimizer updates). Nests.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};
bool grad_enabled();

}  // namespace recgrad
