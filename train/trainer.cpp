#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "data/encoder.h"
#include "io/atomic_file.h"
#include "metrics/metrics.h"
#include "optim/clip.h"
#include "train/data_setup.h"
#include "train/evaluate.h"
#include "train/from_config.h"
#include "train/memory_estimate.h"
#include "train/progress.h"
#include "train/run_dir.h"

namespace recgrad {

namespace {
namespace fs = std::filesystem;

// The first parameter or gradient holding a NaN or an infinity, for the error message.
std::string first_non_finite(const NamedTensors& params) {
  auto bad = [](const std::vector<double>& v) {
    for (double x : v)
      if (!std::isfinite(x)) return true;
    return false;
  };
  for (const auto& [name, p] : params) {
    if (bad(p.to_vector())) return "parameter " + name;
    const Tensor g = p.grad();
    if (g.defined() && bad(g.to_vector())) return "gradient of " + name;
  }
  return "no parameter or gradient (the loss itself overflowed)";
}

// metrics.jsonl without the evaluations made after the checkpoint we resume from: they will be made again.
// A kill during an append can leave the last line torn (no newline, not JSON): that evaluation came after
// the checkpoint, so it is dropped too. Any other unreadable line is damage and an error naming it.
void drop_metrics_after(const std::string& path, std::int64_t step) {
  const std::string text = read_file(path);
  std::string kept;
  std::size_t begin = 0;
  for (std::size_t number = 1; begin < text.size(); ++number) {
    const std::size_t newline = text.find('\n', begin);
    const bool torn = newline == std::string::npos;
    const std::string line = text.substr(begin, torn ? std::string::npos : newline - begin);
    begin = torn ? text.size() : newline + 1;
    if (line.empty()) continue;
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() && torn) break;
    if (!record.is_object() || !record.contains("step") || !record["step"].is_number_integer())
      throw std::invalid_argument(fmt::format("{}:{}: not an evaluation record with an integer \"step\": {}", path,
                                              number, line.substr(0, 80)));
    if (record["step"].get<std::int64_t>() <= step) kept += line + "\n";
  }
  write_file_atomically(path, kept);
}

void append_line(const std::string& path, const nlohmann::json& record) {
  std::ofstream out(path, std::ios::app);
  out << record.dump() << "\n";
  out.flush();
  if (!out) throw std::runtime_error(path + ": cannot append the evaluation record");
}

// Share of impressions whose target item is out of vocabulary (unseen or rarer than features.min_count).
double target_oov_share(const EncodedDataset& data) {
  const auto oov = std::count(data.target_item.begin(), data.target_item.end(), Vocabulary::kOutOfVocabulary);
  return data.size() ? double(oov) / double(data.size()) : 0.0;
}

RunConfig with_absolute_data_paths(RunConfig config) {
  for (std::string* p : {&config.data.train, &config.data.test})
    if (!p->empty()) *p = fs::absolute(resolve_path(*p, config.config_dir)).lexically_normal().string();
  return config;
}

// Prepares the set-up directory of a fresh run (train/run_dir.h): refuses to clobber a non-empty run
// directory unless allowed, replaces what an interrupted set-up left, proves the disk writable and not
// nearly full.
void prepare_setup_dir(const std::string& dir, const std::string& setup_dir, bool overwrite) {
  if (fs::exists(dir) && !fs::is_empty(dir) && !overwrite)
    throw std::invalid_argument(dir + ": run directory exists and is not empty (choose another with --out, "
                                      "continue it with --resume, or set output.overwrite)");
  std::error_code error;
  if (fs::exists(setup_dir, error)) fs::remove_all(setup_dir, error);
  if (error) throw std::runtime_error(setup_dir + ": cannot remove an interrupted set-up: " + error.message());
  ensure_writable_dir(setup_dir, 64u << 20);
}

// Removes the set-up directory unless kept: a run that fails before its first step (bad data, a full
// disk) must leave nothing that looks like a run or blocks a rerun into the same place.
struct RemoveSetupDir {
  std::string dir;
  bool keep;
  ~RemoveSetupDir() {
    std::error_code ignored;
    if (!keep) fs::remove_all(dir, ignored);
  }
};
}  // namespace

nlohmann::json train(const RunConfig& config_in, const TrainOptions& options) {
  const RunConfig config = with_absolute_data_paths(config_in);
  const std::string& dir = options.run_dir;
  const std::string fingerprint = model_fingerprint(config);
  const TrainingConfig& tc = config.training;

  // Everything that can fail on bad input happens before the first step. One writer per run directory.
  const RunLock lock(dir);
  const std::string setup_dir = setup_dir_for(dir);
  RemoveSetupDir cleanup{setup_dir, options.resume};
  if (options.resume) {
    if (!fs::exists(fs::path(dir) / run_files::kCheckpoint))
      throw std::invalid_argument(dir + ": nothing to resume (no " + run_files::kCheckpoint + ")");
    // A finished run stays as it is: resuming it again must not train more or rewrite its summary.
    if (fs::exists(fs::path(dir) / run_files::kSummary)) return {{"finished_before", true}};
    ensure_writable_dir(dir);
  } else {
    prepare_setup_dir(dir, setup_dir, config.output.overwrite);
  }
  PreparedData data = prepare_data(config);
  if (options.resume) {
    const std::string vocab_dir = dir + "/" + run_files::kVocab;
    const std::string difference = first_vocabulary_difference(load_vocabularies(vocab_dir, config.features),
                                                               data.vocabularies, vocab_dir);
    if (!difference.empty())
      throw std::invalid_argument(difference + "; the training data changed since the run began (resume with the "
                                               "same files, or start a new run)");
  }
  const FeatureSizes sizes = feature_sizes(data.vocabularies, config.features.max_len);
  check_memory(config, sizes, available_memory());  // before the model and its optimizer are allocated
  ClickModel model(config.model, sizes, tc.seed);
  const NamedTensors params = model.named_parameters();
  std::unique_ptr<Optimizer> optimizer = make_optimizer(config.optim, params);

  BatcherOptions batcher_options;
  batcher_options.batch_size = tc.batch_size;
  batcher_options.seed = tc.seed;
  Batcher batcher(data.train, batcher_options);
  const std::int64_t steps_per_epoch = std::int64_t(batcher.batches_per_epoch());
  const auto schedule = make_schedule(config.optim, steps_per_epoch * std::int64_t(tc.epochs));
  std::unique_ptr<PlateauLR> plateau = make_plateau(config.optim);  // null unless schedule.kind = "plateau"

  const std::string metrics_path = dir + "/" + run_files::kMetrics;
  const std::string checkpoint_path = dir + "/" + run_files::kCheckpoint;
  TrainerState state;
  if (plateau) state.plateau = plateau->state();  // what a checkpoint before the first evaluation holds
  auto save_to = [&](const std::string& path) {
    state.batcher = batcher.state();
    save_checkpoint(path, model, optimizer.get(), state, fingerprint);
  };
  auto save = [&] { save_to(checkpoint_path); };
  if (options.resume) {
    state = load_checkpoint(checkpoint_path, model, optimizer.get(), fingerprint);
    batcher.restore(state.batcher);
    if (plateau) plateau->restore(state.plateau);
    drop_metrics_after(metrics_path, state.step);
  } else {
    write_file_atomically(setup_dir + "/" + run_files::kConfig, to_json(config).dump(2) + "\n");
    fs::create_directories(fs::path(setup_dir) / run_files::kVocab);
    save_vocabularies(data.vocabularies, setup_dir + "/" + run_files::kVocab);
    write_file_atomically(setup_dir + "/" + run_files::kMetrics, "");
    // Before the first step: proves the disk takes a whole checkpoint, and a kill has a state to resume.
    save_to(setup_dir + "/" + run_files::kCheckpoint);
    publish_run_dir(setup_dir, dir);
  }
  cleanup.keep = true;

  Progress progress(tc.epochs, std::size_t(steps_per_epoch), options.quiet ? nullptr : stderr);
  // A run killed after it stopped early, before its summary, resumes into the same stop.
  bool stop_early = tc.patience > 0 && state.evals_since_best >= std::int64_t(tc.patience);
  // Validation alone steers the run: the best checkpoint, early stopping and the plateau schedule.
  auto evaluate_now = [&] {
    if (options.on_evaluation) options.on_evaluation("valid");
    const Evaluation e = evaluate(predict(model, data.valid, tc.batch_size), data.valid);
    const double train_loss = state.train_loss_count ? state.train_loss_sum / double(state.train_loss_count) : NAN;
    append_line(metrics_path, {{"epoch", state.epoch + (state.step_in_epoch ? 1 : 0)},
                               {"step", state.step},
                               {"train_loss", train_loss},
                               {"valid_auc", e.auc},
                               {"valid_logloss", e.logloss},
                               {"valid_gauc", e.gauc},
                               {"lr", optimizer->lr()}});
    state.train_loss_sum = 0;
    state.train_loss_count = 0;
    // An undefined AUC (a one-class validation split) cannot rank checkpoints: the latest one is kept.
    if (e.auc > state.best_valid_auc || state.best_step < 0 || std::isnan(e.auc)) {
      state.best_valid_auc = e.auc;
      state.best_step = state.step;
      state.evals_since_best = 0;
      save_checkpoint(dir + "/" + run_files::kBest, model, nullptr, state, fingerprint);
    } else {
      ++state.evals_since_best;
    }
    if (plateau) {
      plateau->step(e.auc);
      state.plateau = plateau->state();
    }
    progress.message(fmt::format("eval step {}: valid AUC {:.4f} logloss {:.4f} GAUC {:.4f}", state.step, e.auc,
                                 e.logloss, e.gauc)
                         .c_str());
    stop_early = tc.patience > 0 && state.evals_since_best >= std::int64_t(tc.patience);
  };

  const DType dtype = model.dtype();
  Batch batch;
  bool interrupted = false;
  while (state.epoch < std::int64_t(tc.epochs) && !stop_early && !interrupted) {
    while (batcher.next(batch)) {
      optimizer->set_lr(schedule->lr(state.step) * (plateau ? plateau->lr() / config.optim.lr : 1.0));
      optimizer->zero_grad();
      Tensor loss = bce_with_logits(model.forward(batch).logits, Tensor::from_vector({batch.B}, batch.labels, dtype));
      const double loss_value = loss.item();
      loss.backward();
      if (config.optim.clip_norm > 0) clip_grad_norm(params, config.optim.clip_norm);
      if (!std::isfinite(loss_value))
        throw std::runtime_error(fmt::format("training diverged at step {}: loss is {}; first non-finite: {}; the last "
                                             "good checkpoint is {}",
                                             state.step + 1, loss_value, first_non_finite(params), checkpoint_path));
      optimizer->step();
      ++state.step;
      ++state.step_in_epoch;
      state.train_loss_sum += loss_value;
      ++state.train_loss_count;
      progress.update(std::size_t(state.epoch + 1), std::size_t(state.step_in_epoch),
                        state.train_loss_sum / double(state.train_loss_count), batch.B);
      if (tc.eval_every_steps > 0 && state.step % std::int64_t(tc.eval_every_steps) == 0) {
        evaluate_now();
        save();
        if (stop_early) break;
      }
      if (options.should_stop && options.should_stop(state.step)) {
        interrupted = true;
        break;
      }
    }
    if (interrupted || stop_early) break;
    ++state.epoch;
    state.step_in_epoch = 0;
    if (tc.eval_every_steps == 0) evaluate_now();
    save();
  }
  if (interrupted) {
    save();
    return {{"interrupted_at_step", state.step}};
  }
  // Every run ends with a best checkpoint, even when no evaluation fell inside it (eval_every_steps
  // beyond the run's steps).
  if (state.best_step < 0) {
    evaluate_now();
    save();
  }

  // The summary describes the best model (chosen on validation): its validation metrics, then the test
  // split, scored once, here, plus what only the synthetic truth can tell.
  load_checkpoint(dir + "/" + run_files::kBest, model, nullptr, fingerprint);
  const Evaluation valid = evaluate(predict(model, data.valid, tc.batch_size), data.valid);
  if (options.on_evaluation) options.on_evaluation("test");
  const Scores test_scores = score(model, data.test, tc.batch_size);
  const Evaluation test = evaluate(test_scores.probabilities, data.test);
  nlohmann::json summary{{"valid_auc", valid.auc},
                         {"valid_logloss", valid.logloss},
                         {"valid_gauc", valid.gauc},
                         {"test_auc", test.auc},
                         {"test_logloss", test.logloss},
                         {"test_gauc", test.gauc},
                         {"test_target_oov_share", target_oov_share(data.test)},
                         {"best_step", state.best_step},
                         {"steps", state.step},
                         {"epochs", state.epoch},
                         {"early_stopped", stop_early},
                         {"train_samples_per_s", progress.samples_per_second()},
                         {"parameters", model.parameter_count()},
                         {"train_impressions", data.train.size()},
                         {"valid_impressions", data.valid.size()},
                         {"test_impressions", data.test.size()}};
  if (!data.test.click_probability.empty()) {
    summary["bayes_auc"] = auc(data.test.click_probability, data.test.labels);
    const AttentionRelevance& r = test_scores.relevance;
    summary["attention"] = {{"relevant_mass", r.relevant_mass},
                            {"relevant_share", r.relevant_share},
                            {"ratio", r.ratio},
                            {"impressions", r.impressions}};
  }
  write_file_atomically(dir + "/" + run_files::kSummary, summary.dump(2) + "\n");
  return summary;
}

}  // namespace recgrad
