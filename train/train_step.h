#pragma once
// One training step, as every trainer of recgrad takes it (the training loop, bench/train_throughput):
//   logits = model(batch)                        [B]
//   loss   = bce_with_logits(logits, labels)     mean over the batch
//   loss.backward();  [data-parallel: all-reduce the gradients]
//   clip the gradients' global norm (when set);  optimizer.step()
#include <cstdint>
#include <string>

#include "data/batcher.h"
#include "models/click_model.h"
#include "optim/optimizer.h"

namespace recgrad {

struct StepOptions {
  double clip_norm = 0;         // the gradients' largest global norm; 0 = no clipping
  std::int64_t step = 1;        // this step's number, from 1, for the error message
  std::string last_checkpoint;  // named by the error message; empty: none
};

// Takes one step on `batch` with the optimizer's parameters and returns the batch's loss. Under mpirun
// `batch` is this rank's shard of the global batch and the loss is the global batch's
// (train/distributed.h). A loss that
// is not finite stops before the update: throws std::runtime_error naming the step, the loss, the first
// non-finite parameter or gradient and the last good checkpoint (when given).
double train_step(ClickModel& model, Optimizer& optimizer, const Batch& batch, const StepOptions& options);

}  // namespace recgrad
