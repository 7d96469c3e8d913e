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

PlateauLR::PlateauLR(double base_lr, double factor, std::int64_t patience, double threshold, std::int64_t cooldown,
                     double min_lr, double eps)
    : factor_(factor), threshold_(threshold), min_lr_(min_lr), eps_(eps), patience_(patience), cooldown_(cooldown) {
  check_base_lr("PlateauLR", base_lr);
  check(factor >= 0 && factor < 1, "PlateauLR", "factor", "in [0, 1)", factor);
  check(patience >= 0, "PlateauLR", "patience", ">= 0", static_cast<double>(patience));
  check(threshold >= 0 && std::isfinite(threshold), "PlateauLR", "threshold", ">= 0 and finite", threshold);
  check(cooldown >= 0, "PlateauLR", "cooldown", ">= 0", static_cast<double>(cooldown));
  check(min_lr >= 0 && min_lr <= base_lr, "PlateauLR", "min_lr", "in [0, base_lr]", min_lr);
  check(eps >= 0 && std::isfinite(eps), "PlateauLR", "eps", ">= 0 and finite", eps);
  state_.lr = base_lr;
}

double PlateauLR::step(double metric) {
  // The order of torch's ReduceLROnPlateau.step. NaN > x is false, so a NaN metric is a bad epoch.
  const double rel_epsilon = threshold_ + 1.0;
  if (metric > state_.best * rel_epsilon) {
    state_.best = metric;
    state_.num_bad_epochs = 0;
  } else {
    ++state_.num_bad_epochs;
  }
  if (state_.cooldown_counter > 0) {
    --state_.cooldown_counter;
    state_.num_bad_epochs = 0;
  }
  if (state_.num_bad_epochs > patience_) {
    const double reduced = std::max(state_.lr * factor_, min_lr_);
    if (state_.lr - reduced > eps_) state_.lr = reduced;
    state_.cooldown_counter = cooldown_;
    state_.num_bad_epochs = 0;
  }
  return state_.lr;
}

void PlateauLR::restore(const PlateauState& state) {
  check(state.lr >= 0 && std::isfinite(state.lr), "PlateauLR state", "lr", ">= 0 and finite", state.lr);
  check(!std::isnan(state.best), "PlateauLR state", "best", "a number", state.best);
  check(state.num_bad_epochs >= 0, "PlateauLR state", "num_bad_epochs", ">= 0",
        static_cast<double>(state.num_bad_epochs));
  check(state.cooldown_counter >= 0, "PlateauLR state", "cooldown_counter", ">= 0",
        static_cast<double>(state.cooldown_counter));
  state_ = state;
}

}  // namespace recgrad
