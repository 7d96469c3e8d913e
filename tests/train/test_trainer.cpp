// The training loop end to end on tiny synthetic data: outputs, determinism, exact resume,
// divergence handling, and a run directory that is never clobbered; and its step, train_step.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "data/split.h"
#include "data/synthetic.h"
#include "data/tsv_writer.h"
#include "io/safetensors.h"
#include "optim/schedule.h"
#include "optim/sgd.h"
#include "train/config.h"
#include "train/data_setup.h"
#include "train/run_dir.h"
#include "train/train_step.h"
#include "train/trainer.h"

using namespace recgrad;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
RunConfig tiny_config(const std::string& kind = "multi_head") {
  json j = {{"data", {{"synthetic", {{"num_users", 60}, {"num_items", 80}, {"num_categories", 8}, {"num_brands", 16},
                                     {"impressions", 700}, {"max_history", 8}, {"seed", 3}}}}},
            {"features", {{"max_len", 8}}},
            {"model", {{"embedding_dim", 4}, {"attention", {{"kind", kind}, {"heads", 2}}}, {"tower", {{"hidden", {8}}}}}},
            {"optim", {{"lr", 0.01}}},
            {"training", {{"epochs", 2}, {"batch_size", 64}, {"seed", 5}, {"eval_every_steps", 4}, {"patience", 0}}}};
  return parse_run_config(j);
}

std::string fresh_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "recgrad_" + name;
  fs::remove_all(dir);
  return dir;
}

json train_into(const std::string& dir, const RunConfig& config, std::function<bool(std::int64_t)> stop = nullptr,
                bool resume = false) {
  TrainOptions options;
  options.run_dir = dir;
  options.quiet = true;
  options.resume = resume;
  options.should_stop = std::move(stop);
  return train(config, options);
}

// Bitwise equality of every tensor (parameters and optimizer state) of two checkpoints.
void expect_same_tensors(const std::string& a, const std::string& b) {
  const SafetensorsFile fa = load_safetensors(a), fb = load_safetensors(b);
  ASSERT_EQ(fa.tensors.size(), fb.tensors.size());
  for (std::size_t i = 0; i < fa.tensors.size(); ++i) {
    EXPECT_EQ(fa.tensors[i].first, fb.tensors[i].first);
    EXPECT_EQ(fa.tensors[i].second.to_vector(), fb.tensors[i].second.to_vector()) << fa.tensors[i].first;
  }
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST(Trainer, WritesTheRunDirectory) {
  const std::string dir = fresh_dir("outputs");
  const json summary = train_into(dir, tiny_config());
  for (const char* f : {"config.json", "metrics.jsonl", "summary.json", "checkpoint.safetensors", "best.safetensors",
                        "vocab/vocab_item.txt", "vocab/vocab_side_item_cate.txt"})
    EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  for (const char* key : {"valid_auc", "valid_logloss", "valid_gauc", "test_auc", "test_logloss", "test_gauc",
                          "test_target_oov_share", "train_samples_per_s", "epochs", "bayes_auc"})
    EXPECT_TRUE(summary.contains(key)) << key;
  EXPECT_EQ(summary["epochs"], 2);
  std::ifstream metrics(dir + "/metrics.jsonl");
  std::string line;
  int evaluations = 0;
  while (std::getline(metrics, line)) {
    const json m = json::parse(line);
    for (const char* key : {"epoch", "step", "train_loss", "valid_auc", "valid_logloss", "valid_gauc", "lr"})
      EXPECT_TRUE(m.contains(key)) << key;
    for (const char* key : {"test_auc", "test_logloss", "test_gauc"}) EXPECT_FALSE(m.contains(key)) << key;
    ++evaluations;
  }
  EXPECT_GE(evaluations, 4);  // every 4 steps over 2 epochs of 9 batches
  EXPECT_EQ(json::parse(read(dir + "/summary.json")), summary);
}

TEST(Trainer, TheTestSplitIsScoredOnceAtTheEnd) {
  std::vector<std::string> evaluations;
  TrainOptions options;
  options.run_dir = fresh_dir("scored_once");
  options.quiet = true;
  options.on_evaluation = [&](const char* split) { evaluations.push_back(split); };
  train(tiny_config(), options);
  ASSERT_GE(evaluations.size(), 2u);
  EXPECT_EQ(std::count(evaluations.begin(), evaluations.end(), "test"), 1);
  EXPECT_EQ(evaluations.back(), "test");
}

TEST(Trainer, TheTestSplitNeverSteersTraining) {
  // One training file, two test files with opposite labels: the runs must not differ in anything the
  // test split could steer (evaluations, best checkpoint, early stop), only in the final test numbers.
  const std::string data_dir = fresh_dir("never_steers_data");
  fs::create_directories(data_dir);
  const RunConfig synthetic = tiny_config();
  const RawDataset all = generate_synthetic(synthetic.data.synthetic);
  std::vector<std::size_t> train_rows, test_rows;
  for (std::size_t r = 0; r < all.size(); ++r) (r % 5 == 0 ? test_rows : train_rows).push_back(r);
  const Schema& schema = synthetic.features;
  write_tsv(select_rows(all, train_rows), data_dir + "/train.tsv", schema);
  RawDataset test = select_rows(all, test_rows);
  write_tsv(test, data_dir + "/test.tsv", schema);
  for (double& label : test.labels) label = 1 - label;
  write_tsv(test, data_dir + "/flipped.tsv", schema);

  RunConfig config = synthetic;
  config.data.source = "tsv";
  config.training.patience = 1;
  config.data.train = data_dir + "/train.tsv";
  config.data.test = data_dir + "/test.tsv";
  const std::string a = fresh_dir("never_steers_a"), b = fresh_dir("never_steers_b");
  const json summary_a = train_into(a, config);
  config.data.test = data_dir + "/flipped.tsv";
  const json summary_b = train_into(b, config);
  EXPECT_EQ(read(a + "/metrics.jsonl"), read(b + "/metrics.jsonl"));
  expect_same_tensors(a + "/best.safetensors", b + "/best.safetensors");
  expect_same_tensors(a + "/checkpoint.safetensors", b + "/checkpoint.safetensors");
  for (const char* key : {"valid_auc", "best_step", "steps", "early_stopped"}) EXPECT_EQ(summary_a[key], summary_b[key]) << key;
  EXPECT_NEAR(summary_a["test_auc"].get<double>(), 1 - summary_b["test_auc"].get<double>(), 1e-9);
}

TEST(Trainer, PlateauScheduleFollowsTheValidationAuc) {
  RunConfig config = tiny_config();
  config.optim.schedule.kind = "plateau";
  config.optim.schedule.patience = 0;
  config.optim.schedule.factor = 0.5;
  config.optim.lr = 0.05;
  config.training.epochs = 6;
  const std::string dir = fresh_dir("plateau");
  train_into(dir, config);
  // Replays the validation AUCs of metrics.jsonl through a PlateauLR: the lr each record reports is the
  // one the plateau schedule set after the evaluations before it.
  PlateauLR replay(config.optim.lr, 0.5, 0);
  std::ifstream metrics(dir + "/metrics.jsonl");
  std::string line;
  int reductions = 0;
  while (std::getline(metrics, line)) {
    const json m = json::parse(line);
    EXPECT_DOUBLE_EQ(m["lr"].get<double>(), replay.lr()) << line;
    const double before = replay.lr();
    replay.step(m["valid_auc"].get<double>());
    reductions += replay.lr() < before;
  }
  EXPECT_GE(reductions, 1);  // patience 0 over 12 evaluations: some evaluation did not improve
}

TEST(Trainer, SameSeedGivesIdenticalRuns) {
  const std::string a = fresh_dir("seed_a"), b = fresh_dir("seed_b");
  train_into(a, tiny_config());
  train_into(b, tiny_config());
  EXPECT_EQ(read(a + "/metrics.jsonl"), read(b + "/metrics.jsonl"));
  expect_same_tensors(a + "/checkpoint.safetensors", b + "/checkpoint.safetensors");
}

TEST(Trainer, ResumeReachesBitIdenticalParameters) {
  for (const char* kind : {"multi_head", "din"}) {
    SCOPED_TRACE(kind);
    RunConfig config = tiny_config(kind);
    config.model.tower.dropout = 0.3;  // dropout masks must continue where they stopped, too
    config.optim.schedule.kind = "plateau";  // and the plateau schedule's counters
    config.optim.schedule.patience = 0;
    const std::string whole = fresh_dir(std::string("whole_") + kind), split = fresh_dir(std::string("split_") + kind);
    const json full = train_into(whole, config);
    // Interrupted mid-epoch at step 6 (an evaluation happened at step 4), then resumed.
    const json stopped = train_into(split, config, [](std::int64_t step) { return step == 6; });
    EXPECT_EQ(stopped["interrupted_at_step"], 6);
    EXPECT_FALSE(fs::exists(split + "/summary.json"));
    const json resumed = train_into(split, config, nullptr, true);
    expect_same_tensors(whole + "/checkpoint.safetensors", split + "/checkpoint.safetensors");
    expect_same_tensors(whole + "/best.safetensors", split + "/best.safetensors");
    EXPECT_EQ(read(whole + "/metrics.jsonl"), read(split + "/metrics.jsonl"));
    EXPECT_EQ(full["test_auc"], resumed["test_auc"]);
  }
}

TEST(Trainer, PlateauResumeBeforeTheFirstEvaluationKeepsTheLearningRate) {
  RunConfig config = tiny_config();
  config.optim.schedule.kind = "plateau";
  const std::string whole = fresh_dir("plateau_whole"), split = fresh_dir("plateau_split");
  train_into(whole, config);
  // Stopped at step 2, before the first evaluation (step 4): the checkpoint holds the schedule's start.
  train_into(split, config, [](std::int64_t step) { return step == 2; });
  train_into(split, config, nullptr, true);
  expect_same_tensors(whole + "/checkpoint.safetensors", split + "/checkpoint.safetensors");
  EXPECT_EQ(read(whole + "/metrics.jsonl"), read(split + "/metrics.jsonl"));
}

TEST(Trainer, EarlyStoppedRunKilledBeforeItsSummaryResumesToTheSameEnd) {
  RunConfig config = tiny_config();
  config.training.epochs = 30;
  config.training.patience = 1;
  const std::string whole = fresh_dir("early_whole"), killed = fresh_dir("early_killed");
  const json full = train_into(whole, config);
  ASSERT_TRUE(full["early_stopped"].get<bool>());
  train_into(killed, config);
  // As if killed after the early stop's checkpoint, before the summary was written.
  fs::remove(killed + "/summary.json");
  const json resumed = train_into(killed, config, nullptr, true);
  EXPECT_EQ(resumed["steps"], full["steps"]);
  EXPECT_EQ(resumed["best_step"], full["best_step"]);
  EXPECT_TRUE(resumed["early_stopped"].get<bool>());
  expect_same_tensors(whole + "/checkpoint.safetensors", killed + "/checkpoint.safetensors");
  EXPECT_EQ(read(whole + "/metrics.jsonl"), read(killed + "/metrics.jsonl"));
}

TEST(Trainer, ResumingAFinishedRunChangesNothing) {
  const std::string dir = fresh_dir("finished");
  train_into(dir, tiny_config());
  const std::string summary = read(dir + "/summary.json"), metrics = read(dir + "/metrics.jsonl"),
                    checkpoint = read(dir + "/checkpoint.safetensors");
  const json again = train_into(dir, tiny_config(), nullptr, true);
  EXPECT_TRUE(again.value("finished_before", false));
  EXPECT_EQ(read(dir + "/summary.json"), summary);
  EXPECT_EQ(read(dir + "/metrics.jsonl"), metrics);
  EXPECT_EQ(read(dir + "/checkpoint.safetensors"), checkpoint);
}

TEST(Trainer, RefusesToOverwriteANonEmptyRunDirectory) {
  const std::string dir = fresh_dir("occupied");
  fs::create_directories(dir);
  std::ofstream(dir + "/notes.txt") << "mine";
  try {
    train_into(dir, tiny_config());
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read(dir + "/notes.txt"), "mine");
}

TEST(Trainer, DivergenceStopsWithTheStepAndKeepsTheLastCheckpoint) {
  RunConfig config = tiny_config();
  config.optim.lr = 1e38;  // the first SGD step sends float32 weights to infinity
  config.optim.name = "sgd";
  const std::string dir = fresh_dir("diverge");
  try {
    train_into(dir, config);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("diverged at step"), std::string::npos) << m;
    EXPECT_NE(m.find("first non-finite"), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(dir + "/summary.json"));
}

TEST(Trainer, ResumeOfAnotherModelConfigIsRefused) {
  const std::string dir = fresh_dir("other_model");
  train_into(dir, tiny_config(), [](std::int64_t step) { return step == 4; });
  RunConfig other = tiny_config();
  other.model.embedding_dim = 6;
  try {
    train_into(dir, other, nullptr, true);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("another model configuration"), std::string::npos) << e.what();
  }
}

TEST(Trainer, LoadRunScoresWithTheBestModel) {
  const std::string dir = fresh_dir("load_run");
  const json summary = train_into(dir, tiny_config());
  LoadedRun run = load_run(dir);
  EXPECT_EQ(run.config.model.attention.kind, AttentionKind::MultiHead);
  EXPECT_FALSE(run.model->is_training());
  EXPECT_THROW(load_run(fresh_dir("missing")), std::invalid_argument);
}

namespace {
// A tiny run's directory (load_run gives a fresh copy of its best model each time) and one batch of
// its training data.
struct StepFixture {
  std::string dir;
  Batch batch;
};

StepFixture step_fixture(const std::string& name) {
  const RunConfig config = tiny_config();
  StepFixture f{fresh_dir(name), {}};
  train_into(f.dir, config);
  const PreparedData data = prepare_data(config);
  Batcher batcher(data.train, BatcherOptions{});
  batcher.next(f.batch);
  return f;
}

std::vector<std::vector<double>> values_of(const NamedTensors& params) {
  std::vector<std::vector<double>> values;
  for (const auto& [name, p] : params) values.push_back(p.to_vector());
  return values;
}

// The global L2 norm of what one step changed.
double update_norm(const std::vector<std::vector<double>>& before, const std::vector<std::vector<double>>& after) {
  double sum = 0;
  for (std::size_t i = 0; i < before.size(); ++i)
    for (std::size_t j = 0; j < before[i].size(); ++j) {
      const double d = after[i][j] - before[i][j];
      sum += d * d;
    }
  return std::sqrt(sum);
}
}  // namespace

TEST(TrainStep, ReturnsTheBatchLossAndUpdatesEveryParameter) {
  const StepFixture f = step_fixture("step_loss");
  LoadedRun run = load_run(f.dir);
  ClickModel& model = *run.model;
  model.train();
  const Tensor labels = Tensor::from_vector({f.batch.B}, f.batch.labels);
  const double expected = bce_with_logits(model.forward(f.batch).logits, labels).item();
  SGD sgd(model.named_parameters(), SGDOptions{});
  const auto before = values_of(model.named_parameters());
  EXPECT_EQ(train_step(model, sgd, f.batch, {}), expected);
  const auto after = values_of(model.named_parameters());
  const NamedTensors params = model.named_parameters();
  for (std::size_t i = 0; i < before.size(); ++i) {
    const auto& [name, p] = params[i];
    if (name == "pooling.attention.k_proj.bias") {
      // q·b_k adds the same to every key's score and the softmax cancels it: its gradient is zero
      // (PyTorch's is too, up to rounding), so SGD leaves it.
      for (double g : p.grad().to_vector()) EXPECT_NEAR(g, 0.0, 1e-9) << name;
      continue;
    }
    EXPECT_NE(before[i], after[i]) << name;
  }
}

TEST(TrainStep, ClipsTheGradientNormBeforeTheUpdate) {
  const StepFixture f = step_fixture("step_clip");
  auto sgd_update_norm = [&](double clip_norm) {
    LoadedRun run = load_run(f.dir);
    run.model->train();
    SGDOptions options;
    options.lr = 1.0;  // the update is the gradient
    SGD sgd(run.model->named_parameters(), options);
    const auto before = values_of(run.model->named_parameters());
    train_step(*run.model, sgd, f.batch, {clip_norm, 1, ""});
    return update_norm(before, values_of(run.model->named_parameters()));
  };
  EXPECT_GT(sgd_update_norm(0), 2e-3);                // unclipped, the gradient is larger than the clip
  EXPECT_NEAR(sgd_update_norm(1e-3), 1e-3, 2e-5);     // float32 parameters round the update
}

TEST(TrainStep, NonFiniteLossStopsBeforeTheUpdateNamingTheStepAndTheParameter) {
  const StepFixture f = step_fixture("step_nan");
  LoadedRun run = load_run(f.dir);
  ClickModel& model = *run.model;
  model.train();
  const std::string name = model.named_parameters().front().first;
  Tensor poisoned = model.named_parameters().front().second;  // a handle: shares the model's values
  std::fill(poisoned.mutable_data<float>(), poisoned.mutable_data<float>() + poisoned.numel(), NAN);
  SGD sgd(model.named_parameters(), SGDOptions{});
  const auto before = values_of(model.named_parameters());
  try {
    train_step(model, sgd, f.batch, {0, 7, "run/checkpoint.safetensors"});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what(), tail = "; first non-finite: parameter " + name +
                                            "; the last good checkpoint is run/checkpoint.safetensors";
    EXPECT_EQ(m.rfind("training diverged at step 7: loss is ", 0), 0u) << m;  // then nan or -nan
    EXPECT_EQ(m.substr(m.size() - std::min(m.size(), tail.size())), tail) << m;
  }
  const auto after = values_of(model.named_parameters());
  for (std::size_t i = 1; i < before.size(); ++i) EXPECT_EQ(before[i], after[i]) << model.named_parameters()[i].first;
}

TEST(Trainer, TwoThreadsTwiceGiveTheSameSummary) {
  // Batches and histories large enough that the parallel loops (core/parallel.h) run on 2 threads.
  RunConfig config = tiny_config("din");
  config.data.synthetic.impressions = 1500;
  config.data.synthetic.max_history = 30;
  config.features.max_len = 30;
  config.model.embedding_dim = 16;
  config.training.batch_size = 256;
  config.training.epochs = 1;
  config.training.threads = 2;
  const std::string a = fresh_dir("threads_a"), b = fresh_dir("threads_b");
  json first = train_into(a, config), second = train_into(b, config);
  for (json* summary : {&first, &second}) summary->erase("train_samples_per_s");  // a timing
  EXPECT_EQ(first.dump(), second.dump());
  EXPECT_EQ(read(a + "/metrics.jsonl"), read(b + "/metrics.jsonl"));
  expect_same_tensors(a + "/checkpoint.safetensors", b + "/checkpoint.safetensors");
}
