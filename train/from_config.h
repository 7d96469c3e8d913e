#pragma once
// The optimizer and learning-rate schedule a config's "optim" section names.
#include <memory>

#include "optim/optimizer.h"
#include "optim/schedule.h"
#include "train/config.h"

namespace recgrad {

std::unique_ptr<Optimizer> make_optimizer(const OptimConfig& config, const NamedTensors& params);

// total_steps: the whole run's optimizer steps, for schedules that end ("cosine").
std::shared_ptr<const Schedule> make_schedule(const OptimConfig& config, std::int64_t total_steps);

}  // namespace recgrad
