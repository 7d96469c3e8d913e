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
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "data/encoder.h"
#include "models/click_model.h"
#include "optim/optimizer.h"
#include "train/checkpoint.h"
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

// The run directory a training run writes, and the trainer's one handle on its files. It holds the
// lock (RunLock) from construction to destruction. A fresh run writes into the sibling "<dir>.setup"
// until publish() gives the files their place; a resumed run writes into `dir` itself.
class RunDirectory {
 public:
  // Locks `dir`. Resuming: requires its checkpoint, and proves it writable unless the run finished.
  // Fresh: refuses a non-empty `dir` unless config.output.overwrite, replaces what an interrupted
  // set-up left, proves the disk writable and not nearly full. Throws naming the problem.
  RunDirectory(const std::string& dir, const RunConfig& config, bool resume);

  // The run wrote its summary: resuming it again must not train more or rewrite its summary.
  bool finished() const { return finished_; }
  // Where the last good state is, whatever the phase of the run (for error messages).
  std::string checkpoint_path() const;

  // A fresh run, before its first checkpoint: config.json, vocab/ and an empty metrics.jsonl.
  void write_setup(const Vocabularies& vocabularies);
  // A fresh run, once it holds its first checkpoint: renames the set-up to `dir` when `dir` does not
  // exist or is empty; otherwise (output.overwrite) replaces the previous run's files one by one, the
  // checkpoint last, so `dir` holds a checkpoint again only once the new run's files are all in place.
  void publish();

  // Resuming: throws unless the training data gives the vocabularies the run began with.
  void check_vocabularies(const Vocabularies& rebuilt) const;
  TrainerState load_checkpoint(Module& model, Optimizer& optimizer) const;
  // Resuming: metrics.jsonl without the evaluations made after the checkpoint's `step` (they will be
  // made again). A torn last line (a kill during an append) came after the checkpoint and goes too;
  // any other unreadable line is damage and an error naming it.
  void drop_metrics_after(std::int64_t step) const;

  void append_metrics(const nlohmann::json& record) const;  // one line of metrics.jsonl per evaluation
  void save_checkpoint(Module& model, const Optimizer& optimizer, const TrainerState& state) const;
  void save_best(Module& model, const TrainerState& state) const;  // the model without its optimizer
  void load_best(Module& model) const;
  void write_summary(const nlohmann::json& summary) const;  // last: its presence means the run finished

 private:
  // "<dir>.setup" while a fresh run writes into it. Destroyed in use, it is removed: a run that fails
  // before its first step (bad data, a full disk) must leave nothing that looks like a run or blocks a
  // rerun into the same place.
  struct SetupDir {
    std::string path;
    bool in_use;
    ~SetupDir();
  };

  std::string path(const char* file) const;  // in the set-up while in use, else in `dir`

  RunConfig config_;
  std::string dir_, fingerprint_;
  RunLock lock_;    // taken before anything in `dir` or the set-up is touched
  SetupDir setup_;  // after the lock: removed while the lock is still held
  bool finished_ = false;
};

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
