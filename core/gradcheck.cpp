#include "core/gradcheck.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace recgrad {

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != DType::Float64)
      throw std::invalid_argument("gradcheck: input " + std::to_string(i) + " is " + dtype_name(inputs[i].dtype()) +
                                  "; central differences need float64 (use .to(DType::Float64))");
    if (!inputs[i].is_leaf()) throw std::invalid_argument("gradcheck: input " + std::to_string(i) + " is not a leaf");
  }
  const Shape out_shape = [&] {
    NoGradGuard no_grad;
    return f(inputs).shape();
  }();
  const std::size_t n_out = numel(out_shape);

  // analytical[i][j * n_in + k] = d out_j / d input_i[k], one backward per output element.
  std::vector<std::vector<double>> analytical(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) analytical[i].assign(n_out * inputs[i].numel(), 0.0);
  for (std::size_t j = 0; j < n_out; ++j) {
    for (Tensor in : inputs) in.zero_grad();
    Tensor out = f(inputs);
    if (!out.requires_grad()) break;  // no input reaches the output: the analytical Jacobian is zero
    std::vector<double> seed(n_out, 0.0);
    seed[j] = 1.0;
    out.backward(Tensor::from_vector(out_shape, seed, DType::Float64));
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Tensor g = inputs[i].grad();
      if (!inputs[i].requires_grad() || !g.defined()) continue;
      const std::vector<double> gv = g.to_vector();
      std::copy(gv.begin(), gv.end(), analytical[i].begin() + j * gv.size());
    }
  }
  for (Tensor in : inputs) in.zero_grad();

  GradcheckResult result;
  // The worst entry is the one that uses the largest share of its tolerance, so a passing check
  // names the entry closest to failing rather than an exact 0 against 0.
  double worst_share = -1;
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    Tensor in = inputs[i];
    double* x = in.mutable_data<double>();
    const std::size_t n_in = in.numel();
    for (std::size_t k = 0; k < n_in; ++k) {
      const double saved = x[k];
      x[k] = saved + options.eps;
      const std::vector<double> plus = f(inputs).to_vector();
      x[k] = saved - options.eps;
      const std::vector<double> minus = f(inputs).to_vector();
      x[k] = saved;
      for (std::size_t j = 0; j < n_out; ++j) {
        const double numerical = (plus[j] - minus[j]) / (2 * options.eps);
        const double a = analytical[i][j * n_in + k];
        double share = std::abs(a - numerical) / (options.atol + options.rtol * std::abs(numerical));
        if (std::isnan(share)) share = INFINITY;
        ++result.checked;
        if (share > worst_share) {
          worst_share = share;
          result.input = i;
          result.input_index = k;
          result.output_index = j;
          result.analytical = a;
          result.numerical = numerical;
        }
      }
    }
  }
  result.ok = worst_share <= 1;
  result.tolerance_used = worst_share;
  std::ostringstream msg;
  msg << (result.ok ? "gradcheck passed" : "gradcheck FAILED") << " (" << result.checked
      << " entries); worst: input " << result.input << " element " << result.input_index << ", output element "
      << result.output_index << ": analytical " << result.analytical << " vs numerical " << result.numerical << ", "
      << 100 * worst_share << "% of the tolerance";
  result.message = msg.str();
  return result;
}

}  // namespace recgrad
