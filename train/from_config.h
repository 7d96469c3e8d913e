#pragma once
// The optimizer and learning-rate schedule a config's "optim" section names.
#include <memory>

#include "optim/optimizer.h"
#include "optim/schedule.h"
#include "train/config.h"

namespace recgrad {

std::unique_ptr<Optimizer> make_optimizer(const OptimConfig& config, const NamedTensors& params);

// total_steps: the whole run's optimizer steps, for schedules that end ("cosine").
// With kind "plateau" this is the warm-up (if any) before a constant lr; make_plateau gives the rest.
std::shared_ptr<const Schedule> make_schedule(const OptimConfig& config, std::int64_t total_steps);

// The plateau schedule of kind "plateau" (null for the other kinds). The trainer steps it with each
// validation AUC and multiplies make_schedule's lr by plateau.lr() / config.lr, so without warm-up the
// lr is exactly ReduceLROnPlateau's.
std::unique_ptr<PlateauLR> make_plateau(const OptimConfig& config);

}  // namespace recgrad
