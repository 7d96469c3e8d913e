// Time-gap positions (model.position "time_gap", BST's pos(v_i) = t(v_t) - t(v_i)) end to end: a tiny
// hand-made TSV with times (tests/train/time_gap/, clicks more likely when the user saw the candidate's
// genre in the last two hours) and synthetic data train through the ClickModel; the table saves and
// loads with the run; the model gradchecks; a config without times is refused naming the keys.
#include <cmath>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "train/data_setup.h"
#include "train/evaluate.h"
#include "train/model_gradcheck.h"
#include "train/run_dir.h"
#include "train/trainer.h"

using namespace recgrad;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
const std::string kData = std::string(RECGRAD_TRAIN_DATA) + "/time_gap";
const std::string kConfig = kData + "/config.json";

json train_into(const std::string& name, const RunConfig& config) {
  const std::string dir = ::testing::TempDir() + "recgrad_" + name;
  fs::remove_all(dir);
  TrainOptions options;
  options.run_dir = dir;
  options.quiet = true;
  return train(config, options);
}

json tiny_synthetic(const std::string& position) {
  return {{"data", {{"synthetic", {{"num_users", 60}, {"num_items", 80}, {"num_categories", 8}, {"num_brands", 16},
                                   {"impressions", 700}, {"max_history", 8}, {"seed", 3}}}}},
          {"features", {{"max_len", 8}, {"timestamp", "timestamp"}, {"history_timestamps", "hist_timestamps"}}},
          {"model", {{"embedding_dim", 4}, {"position", position}, {"user_embedding", false}, {"tower", {{"hidden", {8}}}}}},
          {"optim", {{"lr", 0.01}}},
          {"training", {{"epochs", 2}, {"batch_size", 64}, {"seed", 5}, {"patience", 0}}}};
}

std::string config_error(json config) {
  try {
    parse_run_config(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(TimeGapTraining, GapsReachTheBatchesMostRecentFirst) {
  const PreparedData data = prepare_data(load_run_config(kConfig));
  ASSERT_EQ(data.train.time_gaps.size(), data.train.size());
  ASSERT_EQ(data.test.time_gaps.size(), data.test.size());
  // The first test impression: m8 at 1600244929 after m20, m8, m11 at 1600158306, 1600158417, 1600158493.
  EXPECT_EQ(data.test.time_gaps[0], (std::vector<std::int64_t>{86436, 86512, 86623}));
}

TEST(TimeGapTraining, TrainsAndAReloadedRunScoresTheSame) {
  const json summary = train_into("time_gap_tsv", load_run_config(kConfig));
  const double test_auc = summary["test_auc"];
  EXPECT_TRUE(std::isfinite(test_auc));
  const std::string dir = ::testing::TempDir() + "recgrad_time_gap_tsv";
  const SafetensorsFile best = load_safetensors(dir + "/best.safetensors");
  bool found = false;
  for (const auto& [name, tensor] : best.tensors)
    if (name == "positions.weight") {
      found = true;
      EXPECT_EQ(tensor.shape(), (Shape{kTimeGapBuckets, 8}));  // 33 buckets x (id + genre) * 4
    }
  EXPECT_TRUE(found);

  LoadedRun run = load_run(dir);  // the table comes back from the checkpoint
  const EncodedDataset test = load_encoded(kData + "/test.tsv", run.config.features, run.vocabularies);
  EXPECT_NEAR(evaluate(predict(*run.model, test, 16), test).auc, test_auc, 1e-6);
}

TEST(TimeGapTraining, TrainsOnSyntheticData) {
  const json with_gaps = train_into("time_gap_synthetic", parse_run_config(tiny_synthetic("time_gap")));
  const json by_index = train_into("time_gap_synthetic_learned", parse_run_config(tiny_synthetic("learned")));
  EXPECT_TRUE(std::isfinite(with_gaps["test_auc"].get<double>()));
  // The same model but for its position table: 33 bucket rows instead of max_len = 8 index rows.
  EXPECT_EQ(with_gaps["parameters"].get<std::int64_t>() - by_index["parameters"].get<std::int64_t>(),
            std::int64_t(kTimeGapBuckets - 8) * 12);  // D = 4 x (id, category, brand)
}

TEST(TimeGapTraining, GradcheckOnTheConfigPasses) {
  const ModelGradcheck r = gradcheck_model(load_run_config(kConfig));
  EXPECT_TRUE(r.result.ok) << r.result.message;
}

TEST(TimeGapConfig, RefusedWithoutTimesNamingTheKeys) {
  json config = tiny_synthetic("time_gap");
  config["features"].erase("timestamp");
  config["features"].erase("history_timestamps");
  const std::string message = config_error(config);
  for (const char* part : {"model.position", "time_gap", "features.timestamp", "features.history_timestamps"})
    EXPECT_NE(message.find(part), std::string::npos) << message;
}

TEST(TimeGapConfig, SyntheticTimesHaveFixedNames) {
  json config = tiny_synthetic("time_gap");
  config["features"]["timestamp"] = "time";
  EXPECT_NE(config_error(config).find("\"timestamp\" and \"hist_timestamps\""), std::string::npos);
  config["features"]["history_timestamps"] = "";
  EXPECT_NE(config_error(config).find("timestamp and history_timestamps go together"), std::string::npos);
}
