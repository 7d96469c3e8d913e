// Multi-valued side info (a movie's genres "Comedy|Drama", features.multi_valued) and
// features.min_count end to end: a tiny TSV (tests/train/multi_valued/, genre lists in the target and
// history cells) trains through the ClickModel, a reloaded run scores it alike, and `recgrad gradcheck`
// on its config passes.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "train/data_setup.h"
#include "train/evaluate.h"
#include "train/model_gradcheck.h"
#include "train/run_dir.h"
#include "train/trainer.h"

using namespace recgrad;
namespace fs = std::filesystem;

namespace {
const std::string kData = std::string(RECGRAD_TRAIN_DATA) + "/multi_valued";
const std::string kConfig = kData + "/config.json";

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}
}  // namespace

TEST(MultiValuedTraining, GenreListsEncodeAsTheirValues) {
  const PreparedData data = prepare_data(load_run_config(kConfig));
  EXPECT_EQ(data.vocabularies.side[0].size(), 8u);  // <pad> <oov> and the six genres
  EXPECT_EQ(data.train.side_width, (std::vector<std::size_t>{3}));
  EXPECT_EQ(data.test.side_width, (std::vector<std::size_t>{3}));
  // The first impression's target m26 is "SciFi|Horror": two values, then padding.
  const Vocabulary& genres = data.vocabularies.side[0];
  EXPECT_EQ(std::vector<std::int64_t>(data.train.target_side[0].begin(), data.train.target_side[0].begin() + 3),
            (std::vector<std::int64_t>{genres.index("SciFi"), genres.index("Horror"), 0}));
}

TEST(MultiValuedTraining, TrainsAndAReloadedRunScoresTheSame) {
  const std::string dir = ::testing::TempDir() + "recgrad_multi_valued";
  fs::remove_all(dir);
  const RunConfig config = load_run_config(kConfig);
  TrainOptions options;
  options.run_dir = dir;
  options.quiet = true;
  const nlohmann::json summary = train(config, options);
  const double test_auc = summary["test_auc"];
  EXPECT_TRUE(std::isfinite(test_auc));
  EXPECT_TRUE(std::isfinite(summary["test_logloss"].get<double>()));
  EXPECT_EQ(read(dir + "/vocab/vocab_side_item_genre.txt"),
            "<pad>\n<oov>\nAction\nComedy\nDrama\nHorror\nRomance\nSciFi\n");

  // eval/predict's path: the run's vocabularies and value separators from its own folder.
  LoadedRun run = load_run(dir);
  const EncodedDataset test = load_encoded(kData + "/test.tsv", run.config.features, run.vocabularies);
  EXPECT_EQ(test.side_width, (std::vector<std::size_t>{3}));
  EXPECT_NEAR(evaluate(predict(*run.model, test, 16), test).auc, test_auc, 1e-6);
}

TEST(MultiValuedTraining, MinCountSendsRareItemsToTheTrainedOovRow) {
  const RunConfig rare = load_run_config(kConfig, {"features.min_count=12"});
  const RunConfig all = load_run_config(kConfig, {"features.min_count=1"});
  const PreparedData kept = prepare_data(rare), every = prepare_data(all);
  EXPECT_LT(kept.vocabularies.items.size(), every.vocabularies.items.size());
  EXPECT_GT(kept.vocabularies.items.size(), 2u);
  std::size_t oov_targets = 0;
  for (std::int64_t item : kept.train.target_item) oov_targets += item == Vocabulary::kOutOfVocabulary;
  EXPECT_GT(oov_targets, 0u);  // so row 1 of the item table gets gradient in training
}

TEST(MultiValuedTraining, GradcheckOnTheConfigPasses) {
  for (const char* combine : {"concat", "sum", "eges"}) {
    SCOPED_TRACE(combine);
    const ModelGradcheck r = gradcheck_model(load_run_config(kConfig, {std::string("model.combine=") + combine}));
    EXPECT_TRUE(r.result.ok) << r.result.message;
  }
}
