#include "optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace recgrad {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Throws std::invalid_argument "<schedule>: <what> must be <rule>, got <value>" unless `ok`.
void check(bool ok, const char* schedule, const char* what, const char* rule, double value) {
  if (ok) return;
  std::ostringstream msg;
  msg << schedule << ": " << what << " must be " << rule << ", got " << value;
  throw std::invalid_argument(msg.str());
}

void check_base_lr(const char* schedule, double base_lr) {
  check(base_lr >= 0 && std::isfinite(base_lr), schedule, "base_lr", ">= 0 and finite", base_lr);
}

void check_step(const char* schedule, std::int64_t step) {
  check(step >= 0, schedule, "step", ">= 0", static_cast<double>(step));
}

}  // namespace

ConstantLR::ConstantLR(double base_lr) : base_lr_(base_lr) { check_base_lr("ConstantLR", base_lr); }

double ConstantLR::lr(std::int64_t step) const {
  check_step("ConstantLR", step);
  return base_lr_;
}

StepDecayLR::StepDecayLR(double base_lr, std::int64_t step_size, double gamma)
    : base_lr_(base_lr), step_size_(step_size), gamma_(gamma) {
  check_base_lr("StepDecayLR", base_lr);
  check(step_size >= 1, "StepDecayLR", "step_size", ">= 1", static_cast<double>(step_size));
  check(gamma > 0 && gamma <= 1, "StepDecayLR", "gamma", "in (0, 1]", gamma);
}

double StepDecayLR::lr(std::int64_t step) const {
  check_step("StepDecayLR", step);
  return base_lr_ * std::pow(gamma_, static_cast<double>(step / step_size_));
}

CosineLR::CosineLR(double base_lr, std::int64_t total_steps, double min_lr)
    : base_lr_(base_lr), total_steps_(total_steps), min_lr_(min_lr) {
  check_base_lr("CosineLR", base_lr);
  check(total_steps >= 1, "CosineLR", "total_steps", ">= 1", static_cast<double>(total_steps));
  check(min_lr >= 0 && min_lr <= base_lr, "CosineLR", "min_lr", "in [0, base_lr]", min_lr);
}

double CosineLR::lr(std::int64_t step) const {
  check_step("CosineLR", step);
  const double progress = static_cast<double>(std::min(step, total_steps_)) / static_cast<double>(total_steps_);
  return min_lr_ + (base_lr_ - min_lr_) * (1 + std::cos(kPi * progress)) / 2;
}

WarmupLR::WarmupLR(std::int64_t warmup_steps, double start_factor, std::shared_ptr<const Schedule> after)
    : warmup_steps_(warmup_steps), start_factor_(start_factor), after_(std::move(after)) {
  check(warmup_steps >= 1, "WarmupLR", "warmup_steps", ">= 1", static_cast<double>(warmup_steps));
  check(start_factor > 0 && start_factor <= 1, "WarmupLR", "start_factor", "in (0, 1]", start_factor);
  if (!after_) throw std::invalid_argument("WarmupLR: the schedule after the warm-up is null");
}

double WarmupLR::lr(std::int64_t step) const {
  check_step("WarmupLR", step);
  if (step >= warmup_steps_) return after_->lr(step - warmup_steps_);
  const double fraction = static_cast<double>(step) / static_cast<double>(warmup_steps_);
  return after_->lr(0) * (start_factor_ + (1 - start_factor_) * fraction);
}

}  // namespace recgrad
