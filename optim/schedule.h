#pragma once
// Learning-rate schedules. A schedule is a pure function lr(step) of the number of optimizer steps
// taken so far (0 for the first step), so it composes with any optimizer and resumes from a saved
// step count with nothing else to save:
//   for (std::int64_t step = 0; ...; ++step) { optimizer.set_lr(schedule.lr(step)); ...; optimizer.step(); }
// Each names the torch.optim.lr_scheduler it equals (lr(step) = the lr after `step` scheduler.step() calls).
// PlateauLR, at the end, is different by nature: it reacts to a metric (the validation AUC), so it is
// not a function of the step but carries state (PlateauState) that a resume must save and restore.
#include <cstdint>
#include <limits>
#include <memory>

namespace recgrad {

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual double lr(std::int64_t step) const = 0;  // throws std::invalid_argument when step < 0
};

// lr(step) = base_lr.
class ConstantLR final : public Schedule {
 public:
  explicit ConstantLR(double base_lr);
  double lr(std::int64_t step) const override;

 private:
  double base_lr_;
};

// lr(step) = base_lr * gamma^floor(step / step_size)   (torch StepLR).
class StepDecayLR final : public Schedule {
 public:
  StepDecayLR(double base_lr, std::int64_t step_size, double gamma);
  double lr(std::int64_t step) const override;

 private:
  double base_lr_;
  std::int64_t step_size_;
  double gamma_;
};

// Half a cosine from base_lr down to min_lr over total_steps, then min_lr:
//   lr(step) = min_lr + (base_lr - min_lr) * (1 + cos(pi * min(step, total_steps) / total_steps)) / 2
// (torch CosineAnnealingLR with T_max = total_steps, eta_min = min_lr, up to T_max; torch's then
// climbs back up, ours stays at min_lr.)
class CosineLR final : public Schedule {
 public:
  CosineLR(double base_lr, std::int64_t total_steps, double min_lr = 0.0);
  double lr(std::int64_t step) const override;

 private:
  double base_lr_;
  std::int64_t total_steps_;
  double min_lr_;
};

// A linear warm-up in front of any schedule `after`:
//   lr(step) = after.lr(0) * (start_factor + (1 - start_factor) * step / warmup_steps)   for step < warmup_steps
//   lr(step) = after.lr(step - warmup_steps)                                             afterwards
// (torch SequentialLR([LinearLR(start_factor, total_iters=warmup_steps), after], [warmup_steps])).
// Linear warm-up to a constant: WarmupLR(steps, factor, std::make_shared<ConstantLR>(base_lr));
// cosine with warm-up: WarmupLR(steps, factor, std::make_shared<CosineLR>(base_lr, total - steps)).
class WarmupLR final : public Schedule {
 public:
  // warmup_steps >= 1; start_factor in (0, 1] as torch requires (0 would waste the first step).
  WarmupLR(std::int64_t warmup_steps, double start_factor, std::shared_ptr<const Schedule> after);
  double lr(std::int64_t step) const override;

 private:
  std::int64_t warmup_steps_;
  double start_factor_;
  std::shared_ptr<const Schedule> after_;
};

// Everything PlateauLR changes as it steps; with the same constructor arguments, restoring it
// resumes bit for bit (save state() in the checkpoint, restore() it after building the schedule).
struct PlateauState {
  double lr = 0;                                            // the learning rate in use
  double best = -std::numeric_limits<double>::infinity();   // best metric so far (-inf before any)
  std::int64_t num_bad_epochs = 0;    // steps since the last improvement (0 while cooling down)
  std::int64_t cooldown_counter = 0;  // steps left before bad epochs count again after a reduction
};

// Lowers the lr when the metric stops rising: torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer,
// mode="max", factor, patience, threshold, threshold_mode="rel", cooldown, min_lr, eps), step for step.
// Call step(metric) once per evaluation; it returns the lr to use from then on. Each step:
//   - the metric is better when metric > best * (1 + threshold): it becomes best and num_bad_epochs = 0;
//     otherwise ++num_bad_epochs (best starts at -inf, so the first metric is always better);
//   - while cooling down (cooldown_counter > 0), --cooldown_counter and num_bad_epochs = 0;
//   - when num_bad_epochs > patience: new = max(lr * factor, min_lr), taken only when lr - new > eps;
//     then cooldown_counter = cooldown and num_bad_epochs = 0 (even when the lr was already at min_lr).
// A NaN metric (an undefined AUC, e.g. a validation split with one class) is never better, as in
// torch: it counts as a bad epoch and never becomes best. Infinite metrics are compared as torch does.
class PlateauLR {
 public:
  // base_lr >= 0, factor in [0, 1), patience >= 0, threshold >= 0, cooldown >= 0, min_lr in
  // [0, base_lr], eps >= 0, all finite; throws std::invalid_argument naming the first one that is not.
  PlateauLR(double base_lr, double factor = 0.1, std::int64_t patience = 10, double threshold = 1e-4,
            std::int64_t cooldown = 0, double min_lr = 0.0, double eps = 1e-8);

  double step(double metric);  // one evaluation's metric -> the lr from now on
  double lr() const { return state_.lr; }

  const PlateauState& state() const { return state_; }
  // Throws std::invalid_argument unless lr is finite and >= 0, best is not NaN and the counters are
  // >= 0; the object is left unchanged then.
  void restore(const PlateauState& state);

 private:
  double factor_, threshold_, min_lr_, eps_;
  std::int64_t patience_, cooldown_;
  PlateauState state_;
};

}  // namespace recgrad
