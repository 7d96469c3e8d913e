#pragma once
// The run configuration: one JSON file, validated before any work starts. Every field below is a
// key of the JSON (same name, same nesting); docs/config.md lists them with their defaults. The
// "model" section reads straight into the model's own options (models/click_model_options.h).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "data/schema.h"
#include "data/synthetic.h"
#include "models/click_model_options.h"

namespace recgrad {

struct DataConfig {
  std::string source = "synthetic";  // "synthetic" | "tsv"
  std::string train, test;           // TSV paths (source "tsv"); relative paths are relative to the config file
  SyntheticConfig synthetic;         // the generator's parameters (data/synthetic.h), same key names
  double test_fraction = 0.2;        // synthetic: share of impressions held out for testing
  // Share of the training data held out for validation, which alone steers training (early stopping,
  // the best checkpoint, the plateau schedule). TSV: the last share of each user's training impressions
  // in file order (data/split.h); synthetic: drawn at random from the generator's training part.
  double validation_fraction = 0.1;
};

struct ScheduleConfig {
  std::string kind = "constant";  // "constant" | "warmup" | "step" | "cosine" | "plateau"
  std::size_t warmup_steps = 0;
  std::size_t step_size = 1000;   // "step": decay every step_size steps
  double gamma = 0.5;             // "step": multiplier
  double min_lr = 0.0;            // "cosine" and "plateau": floor
  // "plateau": torch.optim.lr_scheduler.ReduceLROnPlateau(mode="max", threshold_mode="rel") on the
  // validation AUC, one step per evaluation; torch's defaults.
  double factor = 0.1;
  std::size_t patience = 10;
  double threshold = 1e-4;
  std::size_t cooldown = 0;
};

struct OptimConfig {
  std::string name = "adam";  // "adam" | "adamw" | "sgd"
  double lr = 0.001;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  double momentum = 0.0;  // sgd
  bool nesterov = false;  // sgd
  bool lazy_embeddings = true;  // Adam/AdamW update only the embedding rows a batch used
  double clip_norm = 0.0;       // 0 = no clipping
  ScheduleConfig schedule;
};

struct TrainingConfig {
  std::size_t epochs = 3;
  std::size_t batch_size = 256;
  std::uint64_t seed = 42;
  std::size_t eval_every_steps = 0;  // 0 = evaluate once per epoch
  std::size_t patience = 2;          // early stopping: evaluations without a better validation AUC; 0 = off
  std::size_t threads = 1;           // threads of recgrad's loops and of OpenBLAS (core/parallel.h)
};

struct OutputConfig {
  std::string dir = "runs/default";
  bool overwrite = false;  // refuse to write into a non-empty run directory unless set
};

struct RunConfig {
  DataConfig data;
  Schema features;  // the column-to-role mapping (data/schema.h); key names as its fields
  ClickModelOptions model;
  OptimConfig optim;
  TrainingConfig training;
  OutputConfig output;
  std::string config_dir;  // directory of the config file, for relative paths
};

// Reads a config file, applies `--set` overrides ("optim.lr=0.003") and validates the result. The
// file is validated as written first, so a typo in it is reported against the file; overrides then
// apply to the complete config (every default filled in), so any setting can be overridden.
RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides = {});

// Validates `config` completely (unknown keys, types, ranges, combinations) and fills a RunConfig.
// Throws ConfigError ("config: model.attention.heads: ...") at the first problem.
RunConfig parse_run_config(const nlohmann::json& config);

// The config with every default filled in, as saved in a run directory (so a run is reproducible
// from its own folder even when defaults change).
nlohmann::json to_json(const RunConfig& config);

}  // namespace recgrad
