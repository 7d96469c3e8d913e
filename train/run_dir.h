#pragma once
// The run directory: what `recgrad train` writes and `eval`, `predict`, `explain` and `--resume` read.
//   config.json              the resolved config (every default filled in)
//   vocab/                   one vocabulary file per field (data/encoder.h)
//   metrics.jsonl            one JSON object per evaluation
//   checkpoint.safetensors   the latest state: model, optimizer, trainer counters (for --resume)
//   best.safetensors         the model at its best test AUC (what eval/predict/explain use)
//   summary.json             written last: its presence means the run finished
#include <memory>
#include <string>

#include "data/encoder.h"
#include "models/click_model.h"
#include "train/config.h"

namespace recgrad {

namespace run_files {
inline const char* const kConfig = "config.json";
inline const char* const kVocab = "vocab";
inline const char* const kMetrics = "metrics.jsonl";
inline const char* const kCheckpoint = "checkpoint.safetensors";
inline const char* const kBest = "best.safetensors";
inline const char* const kSummary = "summary.json";
}  // namespace run_files

// What identifies a model's shape: the features and model sections of the config, as compact JSON.
// A checkpoint remembers it, so loading into a differently configured model fails clearly.
std::string model_fingerprint(const RunConfig& config);

// A finished (or checkpointed) run, ready to score data with its best model.
struct LoadedRun {
  std::string dir;
  RunConfig config;
  Vocabularies vocabularies;
  std::unique_ptr<ClickModel> model;
};

// Throws std::invalid_argument naming the directory and the missing or broken file.
LoadedRun load_run(const std::string& dir);

}  // namespace recgrad
