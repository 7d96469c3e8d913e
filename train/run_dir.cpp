#include "train/run_dir.h"

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/json_config.h"
#include "train/checkpoint.h"
#include "train/data_setup.h"

namespace recgrad {

std::string model_fingerprint(const RunConfig& config) {
  const nlohmann::json full = to_json(config);
  return nlohmann::json{{"features", full.at("features")}, {"model", full.at("model")}}.dump();
}

LoadedRun load_run(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw std::invalid_argument(dir + ": no such run directory");
  const std::string best = dir + "/" + run_files::kBest;
  if (!fs::exists(best))
    throw std::invalid_argument(dir + ": no " + run_files::kBest + " (the run has not finished an evaluation)");
  LoadedRun run;
  run.dir = dir;
  run.config = load_run_config(dir + "/" + run_files::kConfig);
  const Schema& schema = run.config.features;
  run.vocabularies = load_vocabularies(dir + "/" + run_files::kVocab, schema.item_side, !schema.user.empty());
  run.model = std::make_unique<ClickModel>(run.config.model, feature_sizes(run.vocabularies, schema.max_len),
                                           run.config.training.seed);
  load_checkpoint(best, *run.model, nullptr, model_fingerprint(run.config));
  run.model->eval();
  return run;
}

}  // namespace recgrad
