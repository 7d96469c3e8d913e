#pragma once
// The training loop: epochs of mini-batches, Adam (or any optimizer of optim/), evaluation on the
// validation split (which alone picks the best checkpoint, stops early and drives the plateau schedule),
// checkpoints that resume exactly, the test split scored once at the end, and the run directory's
// files (train/run_dir.h).
#include <functional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "train/checkpoint.h"
#include "train/config.h"

namespace recgrad {

struct TrainOptions {
  std::string run_dir;   // where the run's files go
  bool resume = false;   // continue from run_dir's checkpoint instead of starting fresh
  bool quiet = false;    // no progress output
  // > 0: profile this many steps from the first (core/profile.h) and print the table on stderr after them
  // (or at the run's end, if sooner); training goes on.
  std::int64_t profile_steps = 0;
  // Asked after every step; true stops the run there (after saving a checkpoint), as Ctrl-C does.
  std::function<bool(std::int64_t step)> should_stop;
  // Called before each evaluation with the split's name, "valid" or "test" (progress displays, tests).
  std::function<void(const char* split)> on_evaluation;
};

// Trains and returns the summary (also written to summary.json when the run completes); resuming a run
// that has finished changes nothing and returns {"finished_before": true}. Throws on
// any problem, naming it: bad data, an unwritable run directory, a non-finite loss (naming the step
// and the first non-finite parameter or gradient; the last good checkpoint is kept).
nlohmann::json train(const RunConfig& config, const TrainOptions& options);

}  // namespace recgrad
