#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "core/parallel.h"
#include "core/profile.h"
#include "data/encoder.h"
#include "metrics/metrics.h"
#include "train/data_setup.h"
#include "train/distributed.h"
#include "train/evaluate.h"
#include "train/from_config.h"
#include "train/memory_estimate.h"
#include "train/progress.h"
#include "train/run_dir.h"
#include "train/train_step.h"

namespace recgrad {

namespace {
namespace fs = std::filesystem;

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

BatcherOptions batcher_options(const TrainingConfig& tc) {
  BatcherOptions options;
  options.batch_size = tc.batch_size;
  options.seed = tc.seed;
  options.shard_index = std::size_t(distributed::rank());  // data-parallel: this rank's shard of each batch
  options.shard_count = std::size_t(distributed::world_size());
  return options;
}

template <class T>
double sum_of(const T* values, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += values[i];
  return sum;
}

// Data-parallel ranks must build the same model from the same data: a sum of every parameter and the
// split sizes, compared across ranks before the first step. Read in place: a copy of a large embedding
// table would cost more memory than the table.
double parameters_and_data_sum(const ClickModel& model, const PreparedData& data) {
  double sum = double(data.train.size()) + 1e3 * double(data.valid.size()) + 1e6 * double(data.test.size());
  for (const auto& [name, p] : model.named_parameters())
    sum += p.dtype() == DType::Float32 ? sum_of(p.data<float>(), p.numel()) : sum_of(p.data<double>(), p.numel());
  return sum;
}

// One run's training: the model's optimizer, the batches, the learning-rate schedules and the counters
// a checkpoint keeps (TrainerState). Validation alone steers the run: it picks the best checkpoint,
// stops early and steps the plateau schedule. Data-parallel (train/distributed.h), every rank trains;
// rank 0 alone holds the run directory (`run` is null elsewhere), evaluates and tells the others the
// validation AUC, so that every rank takes the same decisions.
class Trainer {
 public:
  Trainer(const RunConfig& config, ClickModel& model, const PreparedData& data, RunDirectory* run,
          const TrainOptions& options);

  void begin();   // a fresh run: its set-up and first checkpoint, published
  void resume();  // exactly where the run's checkpoint left it
  // Trains to the last epoch or an early stop and returns true; false when options.should_stop
  // interrupted the run (its checkpoint saved).
  bool run(Progress& progress);
  // Describes the best model (chosen on validation): its validation metrics, then the test split,
  // scored once, here, plus what only the synthetic truth can tell.
  nlohmann::json summary(const Progress& progress);

  std::size_t steps_per_epoch() const { return batcher_.batches_per_epoch(); }
  std::int64_t step() const { return state_.step; }

 private:
  void validate(Progress& progress);
  void save();
  void print_profile();
  bool patience_exhausted() const {
    return config_.training.patience > 0 && state_.evals_since_best >= std::int64_t(config_.training.patience);
  }

  const RunConfig& config_;
  ClickModel& model_;
  const PreparedData& data_;
  RunDirectory* run_;  // null on data-parallel ranks other than 0
  const TrainOptions& options_;
  std::unique_ptr<Optimizer> optimizer_;
  Batcher batcher_;
  std::shared_ptr<const Schedule> schedule_;
  std::unique_ptr<PlateauLR> plateau_;  // null unless optim.schedule.kind = "plateau"
  TrainerState state_;
  bool stop_early_ = false;
  std::int64_t profile_from_ = -1;  // the step the profile's window began after; -1: not profiling
};

Trainer::Trainer(const RunConfig& config, ClickModel& model, const PreparedData& data, RunDirectory* run,
                 const TrainOptions& options)
    : config_(config),
      model_(model),
      data_(data),
      run_(run),
      options_(options),
      optimizer_(make_optimizer(config.optim, model.named_parameters())),
      batcher_(data.train, batcher_options(config.training)),
      schedule_(make_schedule(config.optim, std::int64_t(steps_per_epoch()) * std::int64_t(config.training.epochs))),
      plateau_(make_plateau(config.optim)) {
  if (plateau_) state_.plateau = plateau_->state();  // what a checkpoint before the first evaluation holds
}

void Trainer::begin() {
  if (!run_) return;
  run_->write_setup(data_.vocabularies);
  save();  // before the first step: proves the disk takes a whole checkpoint, and a kill has a state to resume
  run_->publish();
}

void Trainer::resume() {
  // Other ranks read rank 0's checkpoint, which rank 0 does not write before its first step.
  state_ = run_ ? run_->load_checkpoint(model_, *optimizer_)
                : load_checkpoint(options_.run_dir + "/" + run_files::kCheckpoint, model_, optimizer_.get(),
                                  model_fingerprint(config_));
  batcher_.restore(state_.batcher);
  if (plateau_) plateau_->restore(state_.plateau);
  if (run_) run_->drop_metrics_after(state_.step);
  stop_early_ = patience_exhausted();  // a run killed after it stopped early, before its summary, stops again
}

bool Trainer::run(Progress& progress) {
  const TrainingConfig& tc = config_.training;
  Batch batch;
  auto next_batch = [&] {
    ProfileScope scope("[batch building]");
    return batcher_.next(batch);
  };
  if (options_.profile_steps > 0 && run_) {  // rank 0's table
    profile_from_ = state_.step;
    profile::start();
  }
  while (state_.epoch < std::int64_t(tc.epochs) && !stop_early_) {
    while (next_batch()) {
      optimizer_->set_lr(schedule_->lr(state_.step) * (plateau_ ? plateau_->lr() / config_.optim.lr : 1.0));
      const double loss =
          train_step(model_, *optimizer_, batch,
                     {config_.optim.clip_norm, state_.step + 1, run_ ? run_->checkpoint_path() : std::string()});
      ++state_.step;
      ++state_.step_in_epoch;
      if (profile_from_ >= 0 && state_.step - profile_from_ == options_.profile_steps) print_profile();
      state_.train_loss_sum += loss;
      ++state_.train_loss_count;
      progress.update(std::size_t(state_.epoch + 1), std::size_t(state_.step_in_epoch),
                      state_.train_loss_sum / double(state_.train_loss_count), batcher_.global_batch_size());
      if (tc.eval_every_steps > 0 && state_.step % std::int64_t(tc.eval_every_steps) == 0) {
        validate(progress);
        save();
        if (stop_early_) break;
      }
      if (distributed::any(options_.should_stop && options_.should_stop(state_.step))) {
        if (profile_from_ >= 0) print_profile();
        save();
        return false;
      }
    }
    if (stop_early_) break;
    ++state_.epoch;
    state_.step_in_epoch = 0;
    if (tc.eval_every_steps == 0) validate(progress);
    save();
  }
  // Every run ends with a best checkpoint, even when no evaluation fell inside it (eval_every_steps
  // beyond the run's steps).
  if (state_.best_step < 0) {
    validate(progress);
    save();
  }
  if (profile_from_ >= 0) print_profile();
  return true;
}

void Trainer::validate(Progress& progress) {
  Evaluation e;
  if (run_) {
    if (options_.on_evaluation) options_.on_evaluation("valid");
    e = evaluate(predict(model_, data_.valid, config_.training.batch_size), data_.valid);
  }
  e.auc = distributed::broadcast(e.auc, 0);
  const double train_loss = state_.train_loss_count ? state_.train_loss_sum / double(state_.train_loss_count) : NAN;
  if (run_)
    run_->append_metrics({{"epoch", state_.epoch + (state_.step_in_epoch ? 1 : 0)},
                       {"step", state_.step},
                       {"train_loss", train_loss},
                       {"valid_auc", e.auc},
                       {"valid_logloss", e.logloss},
                       {"valid_gauc", e.gauc},
                       {"lr", optimizer_->lr()}});
  state_.train_loss_sum = 0;
  state_.train_loss_count = 0;
  // An undefined AUC (a one-class validation split) cannot rank checkpoints: the latest one is kept.
  if (e.auc > state_.best_valid_auc || state_.best_step < 0 || std::isnan(e.auc)) {
    state_.best_valid_auc = e.auc;
    state_.best_step = state_.step;
    state_.evals_since_best = 0;
    if (run_) run_->save_best(model_, state_);
  } else {
    ++state_.evals_since_best;
  }
  if (plateau_) {
    plateau_->step(e.auc);
    state_.plateau = plateau_->state();
  }
  progress.message(fmt::format("eval step {}: valid AUC {:.4f} logloss {:.4f} GAUC {:.4f}", state_.step, e.auc,
                               e.logloss, e.gauc)
                       .c_str());
  stop_early_ = patience_exhausted();
}

// After the profiled steps: the table on stderr (stdout may be parsed), on a line of its own.
void Trainer::print_profile() {
  fmt::print(stderr, "\n{}", profile::format_table(profile::stop(), state_.step - profile_from_));
  profile_from_ = -1;
}

void Trainer::save() {
  state_.batcher = batcher_.state();
  if (run_) run_->save_checkpoint(model_, *optimizer_, state_);
}

nlohmann::json Trainer::summary(const Progress& progress) {
  run_->load_best(model_);
  const std::size_t batch_size = config_.training.batch_size;
  const Evaluation valid = evaluate(predict(model_, data_.valid, batch_size), data_.valid);
  if (options_.on_evaluation) options_.on_evaluation("test");
  const Scores test_scores = score(model_, data_.test, batch_size);
  const Evaluation test = evaluate(test_scores.probabilities, data_.test);
  nlohmann::json summary{{"valid_auc", valid.auc},
                         {"valid_logloss", valid.logloss},
                         {"valid_gauc", valid.gauc},
                         {"test_auc", test.auc},
                         {"test_logloss", test.logloss},
                         {"test_gauc", test.gauc},
                         {"test_target_oov_share", target_oov_share(data_.test)},
                         {"best_step", state_.best_step},
                         {"steps", state_.step},
                         {"epochs", state_.epoch},
                         {"early_stopped", stop_early_},
                         {"train_samples_per_s", progress.samples_per_second()},
                         {"parameters", model_.parameter_count()},
                         {"train_impressions", data_.train.size()},
                         {"valid_impressions", data_.valid.size()},
                         {"test_impressions", data_.test.size()}};
  if (!data_.test.click_probability.empty()) {
    summary["bayes_auc"] = auc(data_.test.click_probability, data_.test.labels);
    const AttentionRelevance& r = test_scores.relevance;
    summary["attention"] = {{"relevant_mass", r.relevant_mass},
                            {"relevant_share", r.relevant_share},
                            {"ratio", r.ratio},
                            {"impressions", r.impressions}};
  }
  return summary;
}
}  // namespace

nlohmann::json train(const RunConfig& config_in, const TrainOptions& options) {
  const RunConfig config = with_absolute_data_paths(config_in);
  const TrainingConfig& tc = config.training;
  set_threads(int(tc.threads));  // recgrad's loops and OpenBLAS (core/parallel.h)

  // Everything that can fail on bad input happens before the first step. Data-parallel, rank 0 alone
  // holds the run directory; the others wait for it to check the directory (broadcast) and then read.
  const bool writer = distributed::rank() == 0;
  std::optional<RunDirectory> run;
  if (writer) run.emplace(options.run_dir, config, options.resume);
  if (distributed::broadcast(writer && run->finished(), 0) != 0) return {{"finished_before", true}};
  const PreparedData data = prepare_data(config);
  if (options.resume && writer) run->check_vocabularies(data.vocabularies);
  const FeatureSizes sizes = feature_sizes(data.vocabularies, config.features.max_len);
  check_memory(config, sizes, available_memory());  // before the model and its optimizer are allocated
  ClickModel model(config.model, sizes, tc.seed);
  Trainer trainer(config, model, data, writer ? &*run : nullptr, options);
  if (options.resume)
    trainer.resume();
  else
    trainer.begin();
  if (distributed::world_size() > 1)  // the sum reads every parameter: not for a single process
    distributed::check_same(parameters_and_data_sum(model, data), "the model's parameters and the data's sizes");

  Progress progress(tc.epochs, trainer.steps_per_epoch(), options.quiet || !writer ? nullptr : stderr);
  if (!trainer.run(progress)) return {{"interrupted_at_step", trainer.step()}};
  progress.finish();  // train_samples_per_s: the training loop with its validations, not the summary's
  if (!writer) return {{"rank", distributed::rank()}};
  const nlohmann::json summary = trainer.summary(progress);
  run->write_summary(summary);
  return summary;
}

}  // namespace recgrad
