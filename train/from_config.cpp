#include "train/from_config.h"

#include "optim/adam.h"
#include "optim/sgd.h"

namespace recgrad {

std::unique_ptr<Optimizer> make_optimizer(const OptimConfig& c, const NamedTensors& params) {
  if (c.name == "sgd") {
    SGDOptions o;
    o.lr = c.lr;
    o.momentum = c.momentum;
    o.nesterov = c.nesterov;
    o.weight_decay = c.weight_decay;
    return std::make_unique<SGD>(params, o);
  }
  AdamOptions o;
  o.lr = c.lr;
  o.beta1 = c.beta1;
  o.beta2 = c.beta2;
  o.eps = c.eps;
  o.weight_decay = c.weight_decay;
  o.amsgrad = c.amsgrad;
  o.lazy = c.lazy_embeddings;
  if (c.name == "adamw") return std::make_unique<AdamW>(params, o);
  return std::make_unique<Adam>(params, o);
}

std::shared_ptr<const Schedule> make_schedule(const OptimConfig& c, std::int64_t total_steps) {
  const ScheduleConfig& s = c.schedule;
  std::shared_ptr<const Schedule> main;
  if (s.kind == "step") {
    main = std::make_shared<StepDecayLR>(c.lr, s.step_size, s.gamma);
  } else if (s.kind == "cosine") {
    main = std::make_shared<CosineLR>(c.lr, std::max<std::int64_t>(1, total_steps - std::int64_t(s.warmup_steps)),
                                      s.min_lr);
  } else {
    main = std::make_shared<ConstantLR>(c.lr);
  }
  if (s.warmup_steps == 0) return main;
  // Warm-up from lr / warmup_steps, so the first step is small but not wasted.
  return std::make_shared<WarmupLR>(s.warmup_steps, 1.0 / double(s.warmup_steps), main);
}

std::unique_ptr<PlateauLR> make_plateau(const OptimConfig& c) {
  const ScheduleConfig& s = c.schedule;
  if (s.kind != "plateau") return nullptr;
  return std::make_unique<PlateauLR>(c.lr, s.factor, std::int64_t(s.patience), s.threshold, std::int64_t(s.cooldown),
                                     s.min_lr);
}

}  // namespace recgrad
