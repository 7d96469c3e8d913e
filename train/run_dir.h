#pragma once
// The run directory: what `recgrad train` writes and `eval`, `predict`, `explain` and `--resume` read.
//   config.json              the resolved config (every default filled in)
//   vocab/                   one vocabulary file per field (data/encoder.h)
//   metrics.jsonl            one JSON object per evaluation
//   checkpoint.safetensors   the latest state: model, optimizer, trainer counters (for --resume)
//   best.safetensors         the model at its best test AUC (what eval/predict/explain use)
//   summary.json             written last: its presence means the run finished
// A fresh run is set up in the sibling directory "<dir>.setup" and takes its place only once it holds
// the first checkpoint, so a run directory is always resumable: a kill during set-up leaves no run
// directory, only "<dir>.setup", which the next run into the same place replaces.
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

// "<dir>.setup": where a fresh run into `dir` writes its files until its first checkpoint is saved.
std::string setup_dir_for(const std::string& dir);

// An exclusive lock on a run directory for as long as one process writes it (`train`, `--resume`): an
// advisory flock on the sibling file "<dir>.lock" (holding the holder's pid), taken before anything in
// `dir` or "<dir>.setup" is touched. A second writer fails at once, naming the directory and the
// holder's process id. The holder removes the file when it is done; the kernel releases the lock of a
// killed process, whose file then stays harmlessly until the next run takes and removes it.
class RunLock {
 public:
  explicit RunLock(const std::string& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

// Gives the set-up's files their place: renames `setup_dir` to `dir` when `dir` does not exist or is
// empty; otherwise (output.overwrite) replaces the previous run's files one by one, the checkpoint
// last, so `dir` holds a checkpoint again only once the new run's files are all in place.
void publish_run_dir(const std::string& setup_dir, const std::string& dir);

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
