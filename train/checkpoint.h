#pragma once
// A training checkpoint: one safetensors file holding
//   <parameter or buffer name>   the model's tensors, named as its state_dict ("pooling.attention.q_proj.weight")
//   optim.<state name>           the optimizer's state ("optim.items.id.weight.exp_avg", "...step")
//   __metadata__                 the trainer's counters (epoch, step, best AUC, ...), the random
//                                state of each dropout layer ("rng.<module>"), and the model config
//                                it belongs to, as strings
// so that `--resume` continues exactly where the run stopped, and NumPy or PyTorch can read the weights.
#include <cstdint>
#include <map>
#include <string>

#include "data/batcher.h"
#include "layers/module.h"
#include "optim/optimizer.h"
#include "optim/schedule.h"

namespace recgrad {

struct TrainerState {
  std::int64_t epoch = 0;             // epochs completed
  std::int64_t step = 0;              // optimizer steps taken
  std::int64_t step_in_epoch = 0;     // batches of the current epoch already trained on
  double best_valid_auc = -1;         // best validation AUC so far (-1: none yet)
  std::int64_t best_step = -1;
  std::int64_t evals_since_best = 0;  // for early stopping
  double train_loss_sum = 0;          // running training loss of the current evaluation period
  std::int64_t train_loss_count = 0;
  BatcherState batcher;               // where the shuffled order of the training data stands
  PlateauState plateau;               // the plateau schedule's counters (schedule.kind "plateau")
};

// `model_fingerprint` identifies the model's configuration (the "features" and "model" sections);
// loading into a model built from another configuration is an error that says so.
void save_checkpoint(const std::string& path, Module& model, const Optimizer* optimizer,
                     const TrainerState& state, const std::string& model_fingerprint);

// Each tensor's CRC-32 is saved in the metadata ("crc32.<name>") and checked on load: a damaged file
// names the tensor. A loaded model holding a NaN or an infinity is refused, naming the tensor.
// Loads into `model` (and `optimizer` when given); every tensor must be present with its shape.
// Throws std::invalid_argument naming the file and the first problem; on error nothing is changed.
TrainerState load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer,
                             const std::string& model_fingerprint);

}  // namespace recgrad
