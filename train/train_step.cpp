#include "train/train_step.h"

#include <cmath>
#include <stdexcept>

#include <fmt/core.h>

#include "core/ops.h"
#include "core/profile.h"
#include "optim/clip.h"
#include "train/distributed.h"

namespace recgrad {

namespace {
// The first parameter or gradient holding a NaN or an infinity, for the error message.
std::string first_non_finite(const NamedTensors& params) {
  auto bad = [](const std::vector<double>& v) {
    for (double x : v)
      if (!std::isfinite(x)) return true;
    return false;
  };
  for (const auto& [name, p] : params) {
    if (bad(p.to_vector())) return "parameter " + name;
    const Tensor g = p.grad();
    if (g.defined() && bad(g.to_vector())) return "gradient of " + name;
  }
  return "no parameter or gradient (the loss itself overflowed)";
}
}  // namespace

double train_step(ClickModel& model, Optimizer& optimizer, const Batch& batch, const StepOptions& options) {
  const NamedTensors& params = optimizer.parameters();
  optimizer.zero_grad();
  double loss_value = 0;
  if (batch.B > 0) {  // a data-parallel rank's shard of a small last batch may be empty
    const Tensor labels = Tensor::from_vector({batch.B}, batch.labels, model.dtype());  // [B]
    Tensor loss = bce_with_logits(model.forward(batch).logits, labels);
    loss_value = loss.item();
    loss.backward();
  }
  // Data-parallel (mpirun): every rank now holds the global batch's mean gradient and loss.
  loss_value = distributed::all_reduce_gradients(params, loss_value, batch.B);
  if (options.clip_norm > 0) clip_grad_norm(params, options.clip_norm);
  if (!std::isfinite(loss_value))
    throw std::runtime_error(fmt::format(
        "training diverged at step {}: loss is {}; first non-finite: {}{}", options.step, loss_value,
        first_non_finite(params),
        options.last_checkpoint.empty() ? "" : "; the last good checkpoint is " + options.last_checkpoint));
  ProfileScope scope("[optimizer step]");
  optimizer.step();
  return loss_value;
}

}  // namespace recgrad
