#pragma once
// Learning-rate schedules. A schedule is a pure function lr(step) of the number of optimizer steps
// taken so far (0 for the first step), so it composes with any optimizer and resumes from a saved
// step count with nothing else to save:
//   for (std::int64_t step = 0; ...; ++step) { optimizer.set_lr(schedule.lr(step)); ...; optimizer.step(); }
// Each names the torch.optim.lr_scheduler it equals (lr(step) = the lr after `step` scheduler.step() calls).
#include <cstdint>
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

}  // namespace recgrad
