#pragma once
// Module: the base of every layer. A layer registers its parameters and sub-layers by name, so a
// model can list all its trainable tensors with dotted names ("attention.q_proj.weight") in a fixed
// order: the order of registration, a module's own tensors before those of its sub-modules (as
// torch.nn.Module.named_parameters). Optimizers, checkpoints and gradcheck all walk this list.
//
// Buffers are tensors a layer keeps but does not train (Dice's running mean and variance): they
// are converted by to() and saved in checkpoints, but never handed to an optimizer.
//
// A module is not copyable: a copy would share its parameter tensors with the original, which is
// never what a reader expects. Hold sub-modules through std::shared_ptr.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  NamedTensors named_parameters() const;  // dotted names in registration order: "q_proj.weight"
  std::vector<Tensor> parameters() const;
  std::size_t parameter_count() const;  // number of scalars
  NamedTensors named_buffers() const;   // same naming, for non-trained state
  // Every module of the tree with its dotted name, this one first as "" (as torch's named_modules).
  std::vector<std::pair<std::string, Module*>> named_modules();

  void train(bool on = true);  // recursive: dropout and batch statistics follow this flag
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Recursive, like train(): true (the default) runs the fused or factored kernels, false the plain
  // composed reference form each such layer keeps beside them (the formula in its header comment).
  void set_fused_kernels(bool on);
  bool fused_kernels() const { return fused_kernels_; }

  void to(DType dtype);  // converts every parameter and buffer in place (handles stay valid)

 protected:
  Tensor register_parameter(const std::string& name, Tensor value);  // marks it requires_grad
  Tensor register_buffer(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    check_new_name(name);
    children_.emplace_back(name, module);
    return module;
  }

 private:
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, bool buffers, NamedTensors& out) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
  bool fused_kernels_ = true;
};

}  // namespace recgrad
