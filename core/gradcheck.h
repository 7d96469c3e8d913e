#pragma once
// gradcheck: compares the Jacobian that backward() computes with central differences, in float64,
// with torch.autograd.gradcheck's defaults. Works for any function of tensors, so a user can check a
// layer of their own: pass its parameters (module.to(DType::Float64) first) among the inputs.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace recgrad {

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-5;  // pass when |analytical - numerical| <= atol + rtol * |numerical|
  double rtol = 1e-3;
};

struct GradcheckResult {
  bool ok = true;
  std::size_t checked = 0;  // Jacobian entries compared
  // The worst entry (the largest share of its tolerance): which input, flat index into it, flat index of
  // the output, both values.
  std::size_t input = 0, input_index = 0, output_index = 0;
  double analytical = 0, numerical = 0;
  double tolerance_used = 0;  // |analytical - numerical| / (atol + rtol * |numerical|) there; ok means <= 1
  std::string message;        // one line describing the worst entry
};

// f maps the inputs to a tensor of any shape. Every input must be a float64 leaf; those that require
// grad are checked (their values are perturbed in place and restored, so f may also capture them).
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace recgrad
