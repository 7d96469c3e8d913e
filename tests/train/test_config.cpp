// The run config: every kind of mistake is an error naming its JSON path before any work starts.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "train/config.h"

using namespace recgrad;
using nlohmann::json;

namespace {
// The message of the std::invalid_argument that parsing `config` throws ("" if none).
std::string error_of(const json& config) {
  try {
    parse_run_config(config);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST(Config, EmptyConfigGivesTheDocumentedDefaults) {
  const RunConfig c = parse_run_config(json::object());
  EXPECT_EQ(c.data.source, "synthetic");
  EXPECT_EQ(c.model.attention.kind, AttentionKind::MultiHead);
  EXPECT_EQ(c.optim.name, "adam");
  EXPECT_DOUBLE_EQ(c.optim.lr, 0.001);
  EXPECT_EQ(c.training.batch_size, 256u);
}

TEST(Config, ResolvedConfigRoundTrips) {
  json in = {{"model", {{"attention", {{"kind", "din"}, {"softmax", false}}}, {"embedding_dim", 8}}},
             {"optim", {{"lr", 0.01}, {"schedule", {{"kind", "cosine"}, {"warmup_steps", 10}}}}}};
  const json resolved = to_json(parse_run_config(in));
  EXPECT_EQ(to_json(parse_run_config(resolved)), resolved);
  EXPECT_EQ(resolved["model"]["attention"]["kind"], "din");
  EXPECT_EQ(resolved["optim"]["schedule"]["warmup_steps"], 10);
}

TEST(Config, UnknownKeyNamesPathAndClosestKey) {
  const std::string e = error_of({{"model", {{"atention", {{"kind", "dot"}}}}}});
  EXPECT_NE(e.find("model.atention"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'attention'"), std::string::npos) << e;
}

TEST(Config, WrongTypeNamesPathAndExpectedType) {
  const std::string e = error_of({{"training", {{"batch_size", "big"}}}});
  EXPECT_NE(e.find("training.batch_size"), std::string::npos) << e;
  EXPECT_NE(e.find("integer"), std::string::npos) << e;
}

TEST(Config, OutOfRangeValuesNameTheirPath) {
  EXPECT_NE(error_of({{"optim", {{"lr", -0.1}}}}).find("optim.lr"), std::string::npos);
  EXPECT_NE(error_of({{"training", {{"batch_size", 0}}}}).find("training.batch_size"), std::string::npos);
  EXPECT_NE(error_of({{"model", {{"tower", {{"dropout", 1.0}}}}}}).find("model.tower.dropout"), std::string::npos);
  EXPECT_NE(error_of({{"features", {{"max_len", 0}}}}).find("features.max_len"), std::string::npos);
  EXPECT_NE(error_of({{"model", {{"tower", {{"hidden", {200, 0}}}}}}}).find("model.tower.hidden[1]"), std::string::npos);
}

TEST(Config, HeadsNotDividingTheItemDimensionIsAnError) {
  // 3 fields x 16 = 48 dimensions; 5 heads do not divide them.
  const std::string e = error_of({{"model", {{"attention", {{"kind", "multi_head"}, {"heads", 5}}}}}});
  EXPECT_NE(e.find("model.attention.heads"), std::string::npos) << e;
  EXPECT_NE(e.find("48"), std::string::npos) << e;
}

TEST(Config, SideInfoFieldWithoutHistoryColumnIsAnError) {
  const std::string e = error_of({{"features", {{"item_side", {"item_cate", "item_brand"}}, {"history_side", {"hist_cate_ids"}}}}});
  EXPECT_NE(e.find("features.history_side"), std::string::npos) << e;
}

TEST(Config, UnknownAttentionKindListsTheKinds) {
  const std::string e = error_of({{"model", {{"attention", {{"kind", "bahdanau"}}}}}});
  EXPECT_NE(e.find("model.attention.kind"), std::string::npos) << e;
  EXPECT_NE(e.find("multi_head"), std::string::npos) << e;
}

TEST(Config, TsvSourceNeedsBothFiles) {
  const std::string e = error_of({{"data", {{"source", "tsv"}, {"train", "a.tsv"}}}});
  EXPECT_NE(e.find("data.test"), std::string::npos) << e;
}

TEST(Config, NesterovNeedsSgdWithMomentum) {
  EXPECT_NE(error_of({{"optim", {{"nesterov", true}}}}).find("optim.nesterov"), std::string::npos);
}

TEST(Config, InvalidJsonNamesFileLineAndColumn) {
  const std::string path = temp_file("bad.json", "{\n  \"model\": {\n    \"embedding_dim\": 16,\n  }\n}\n");
  try {
    load_run_config(path);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":4:"), std::string::npos) << e.what();
  }
}

TEST(Config, MissingFileIsAnErrorNamingIt) {
  try {
    load_run_config("/nonexistent/config.json");
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/config.json"), std::string::npos) << e.what();
  }
}

TEST(Config, OverridesReachAnyValueAndAreValidated) {
  const std::string path = temp_file("small.json", R"({"model": {"embedding_dim": 8}})");
  const RunConfig c = load_run_config(path, {"optim.lr=0.003", "model.attention.heads=8", "model.attention.kind=dot"});
  EXPECT_DOUBLE_EQ(c.optim.lr, 0.003);
  EXPECT_EQ(c.model.attention.heads, 8u);
  EXPECT_EQ(c.model.attention.kind, AttentionKind::Dot);
  EXPECT_THROW(load_run_config(path, {"optim.lr=-1"}), std::invalid_argument);
  EXPECT_THROW(load_run_config(path, {"optim.lrr=0.1"}), std::invalid_argument);
}

TEST(Config, EveryShippedConfigIsValid) {
  for (const char* name : {"default", "mean", "dot", "dot_raw", "scaled_dot", "din", "bst", "movielens"}) {
    SCOPED_TRACE(name);
    EXPECT_NO_THROW(load_run_config(std::string(RECGRAD_CONFIGS) + "/" + name + ".json"));
  }
}

TEST(Config, RealDataKeysRoundTripAndAreChecked) {
  json in = {{"data", {{"validation_fraction", 0.15}}},
             {"features", {{"min_count", 3}}},
             {"model", {{"embedding_init", {{"kind", "uniform"}, {"bound", 0.02}}}}},
             {"optim", {{"schedule", {{"kind", "plateau"}, {"factor", 0.5}, {"patience", 1}, {"cooldown", 2}}}}}};
  const RunConfig c = parse_run_config(in);
  EXPECT_DOUBLE_EQ(c.data.validation_fraction, 0.15);
  EXPECT_EQ(c.features.min_count, 3u);
  EXPECT_EQ(c.model.embedding_init.kind, init::EmbeddingInit::Kind::Uniform);
  EXPECT_DOUBLE_EQ(c.model.embedding_init.bound, 0.02);
  EXPECT_EQ(c.optim.schedule.cooldown, 2u);
  const json resolved = to_json(c);
  EXPECT_EQ(to_json(parse_run_config(resolved)), resolved);

  std::string e = error_of({{"model", {{"embedding_init", {{"kind", "gaussian"}}}}}});
  EXPECT_NE(e.find("model.embedding_init.kind"), std::string::npos) << e;
  e = error_of({{"data", {{"validation_fraction", 0}}}});
  EXPECT_NE(e.find("data.validation_fraction"), std::string::npos) << e;
  e = error_of({{"optim", {{"lr", 0.001}, {"schedule", {{"kind", "plateau"}, {"min_lr", 0.01}}}}}});
  EXPECT_NE(e.find("optim.schedule.min_lr"), std::string::npos) << e;
  e = error_of({{"features", {{"min_count", 0}}}});
  EXPECT_NE(e.find("features.min_count"), std::string::npos) << e;
}

TEST(Config, PathsFromSetAreRelativeToTheCurrentDirectoryAndFilePathsToTheFile) {
  const std::string dir = ::testing::TempDir() + "recgrad_paths";
  std::filesystem::create_directories(dir);
  const std::string path =
      temp_file("recgrad_paths/config.json", R"({"data": {"source": "tsv", "train": "in_file.tsv", "test": "t.tsv"}})");
  const RunConfig c = load_run_config(path, {"data.test=typed/test.tsv"});
  EXPECT_EQ(c.data.train, "in_file.tsv");  // resolved against config_dir when the data is read
  EXPECT_EQ(c.config_dir, dir);
  EXPECT_EQ(c.data.test, (std::filesystem::current_path() / "typed/test.tsv").string());
}
