// The synthetic generator: determinism, the planted structure it promises, and that it goes through
// the same TSV path as real data.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "data/split.h"
#include "data/synthetic.h"
#include "data/tsv_reader.h"
#include "data/tsv_writer.h"
#include "metrics/metrics.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::expect_same_columns;
using recgrad::testing::test_dir;
using recgrad::testing::small_synthetic_config;
using recgrad::testing::ThrowsNaming;

namespace {

// The default data set, generated once for the tests that check the defaults' promises.
const RawDataset& default_data() {
  static const RawDataset data = generate_synthetic(SyntheticConfig{});
  return data;
}

}  // namespace

TEST(Synthetic, SameSeedGivesTheSameData) {
  const RawDataset a = generate_synthetic(small_synthetic_config()), b = generate_synthetic(small_synthetic_config());
  expect_same_columns(a, b);
  EXPECT_EQ(a.click_probability, b.click_probability);
  EXPECT_EQ(a.relevant, b.relevant);
}

TEST(Synthetic, DifferentSeedGivesDifferentData) {
  SyntheticConfig other = small_synthetic_config();
  other.seed = 8;
  EXPECT_NE(generate_synthetic(small_synthetic_config()).target_item, generate_synthetic(other).target_item);
}

TEST(Synthetic, HistoriesVaryInLengthAndSomeAreEmpty) {
  const SyntheticConfig config = small_synthetic_config();
  const RawDataset data = generate_synthetic(config);
  std::vector<std::size_t> count_of_length(config.max_history + 1, 0);
  for (const auto& history : data.history_item) count_of_length.at(history.size())++;
  for (std::size_t length = 0; length <= config.max_history; ++length)
    EXPECT_GT(count_of_length[length], 0u) << "no history of length " << length;
}

TEST(Synthetic, TrueProbabilitiesAreInsideTheOpenUnitInterval) {
  const RawDataset data = generate_synthetic(small_synthetic_config());
  ASSERT_EQ(data.click_probability.size(), data.size());
  for (double p : data.click_probability) {
    EXPECT_GT(p, 0.0);
    EXPECT_LT(p, 1.0);
  }
}

TEST(Synthetic, IdsSideInfoAndRelevantFlagsAgree) {
  const SyntheticConfig config = small_synthetic_config();
  const RawDataset data = generate_synthetic(config);
  EXPECT_EQ(data.side_fields, (std::vector<std::string>{"item_cate", "item_brand"}));
  std::size_t relevant_count = 0;
  for (std::size_t row = 0; row < data.size(); ++row) {
    // item "i<k>" has category "c<k % num_categories>"; its brand belongs to the same category
    const std::size_t item = std::stoul(data.target_item[row].substr(1));
    EXPECT_EQ(data.target_side[0][row], "c" + std::to_string(item % config.num_categories));
    EXPECT_EQ(std::stoul(data.target_side[1][row].substr(1)) % config.num_categories, item % config.num_categories);
    ASSERT_EQ(data.relevant[row].size(), data.history_item[row].size());
    for (std::size_t k = 0; k < data.history_item[row].size(); ++k) {
      EXPECT_EQ(data.relevant[row][k], data.history_side[0][row][k] == data.target_side[0][row]);
      relevant_count += data.relevant[row][k];
    }
  }
  EXPECT_GT(relevant_count, 0u);
}

TEST(Synthetic, ClickProbabilityFollowsRecencyWeightedMatches) {
  SyntheticConfig config = small_synthetic_config();
  config.popularity_weight = 0.0;  // leaves only what the data shows: the relevant flags and their recency
  const RawDataset data = generate_synthetic(config);
  for (std::size_t row = 0; row < data.size(); ++row) {
    const auto& relevant = data.relevant[row];
    double match = 0.0;
    for (std::size_t k = 0; k < relevant.size(); ++k)
      if (relevant[k]) match += std::pow(config.recency_decay, static_cast<double>(relevant.size() - 1 - k));
    const double expected = 1.0 / (1.0 + std::exp(-(config.bias + config.match_weight * match)));
    EXPECT_NEAR(data.click_probability[row], expected, 1e-12) << "row " << row;
  }
}

TEST(Synthetic, DefaultBayesAucIsInTheIntendedRange) {
  const DataSplit split = random_split(default_data(), 0.2, 1);
  const double bayes_auc = auc(split.test.click_probability, split.test.labels);
  EXPECT_GT(bayes_auc, 0.75);
  EXPECT_LT(bayes_auc, 0.85);
}

TEST(Synthetic, DefaultRecentMatchesPredictClearlyBetterThanTheCategoryShare) {
  // The share of the target's category over the whole history is what a mean of history embeddings
  // can expose; the planted signal weights recent matches, which only attention can single out.
  const RawDataset& data = default_data();
  std::vector<double> share;
  for (const auto& relevant : data.relevant) {
    double matches = 0.0;
    for (bool r : relevant) matches += r;
    share.push_back(relevant.empty() ? 0.0 : matches / static_cast<double>(relevant.size()));
  }
  EXPECT_GT(auc(data.click_probability, data.labels), auc(share, data.labels) + 0.03);
}

TEST(Synthetic, WrittenSetReadsBackIdentically) {
  const RawDataset data = generate_synthetic(small_synthetic_config());
  const std::string path = test_dir() + "/synthetic.tsv";
  const Schema schema = synthetic_schema(small_synthetic_config().max_history);
  write_tsv(data, path, schema);
  const RawDataset back = read_tsv(path, schema);
  EXPECT_EQ(back.side_fields, data.side_fields);
  expect_same_columns(back, data);
}

TEST(Synthetic, InvalidParametersAreNamed) {
  SyntheticConfig config = small_synthetic_config();
  config.num_brands = 3;
  EXPECT_TRUE(ThrowsNaming([&] { generate_synthetic(config); }, {"num_brands (3)", "num_categories (6)"}));
  config = small_synthetic_config();
  config.recency_decay = 1.5;
  EXPECT_TRUE(ThrowsNaming([&] { generate_synthetic(config); }, {"recency_decay must be in [0, 1]"}));
  config = small_synthetic_config();
  config.interests_per_user = 7;
  EXPECT_TRUE(ThrowsNaming([&] { generate_synthetic(config); }, {"interests_per_user"}));
}

TEST(RandomSplit, IsSeededDisjointCompleteAndKeepsRowOrder) {
  RawDataset data = generate_synthetic(small_synthetic_config());
  for (std::size_t row = 0; row < data.size(); ++row) data.users[row] = std::to_string(row);  // a row tag
  const DataSplit a = random_split(data, 0.25, 3), b = random_split(data, 0.25, 3), c = random_split(data, 0.25, 4);
  EXPECT_EQ(a.test.size(), 100u);
  EXPECT_EQ(a.train.size(), 300u);
  EXPECT_EQ(a.test.relevant.size(), 100u);
  EXPECT_EQ(a.test.users, b.test.users);
  EXPECT_NE(a.test.users, c.test.users);

  std::vector<bool> seen(data.size(), false);
  for (const RawDataset* part : {&a.train, &a.test}) {
    std::size_t previous = 0;
    for (std::size_t k = 0; k < part->size(); ++k) {
      const std::size_t row = std::stoul(part->users[k]);
      if (k > 0) {
        EXPECT_GT(row, previous);
      }
      EXPECT_FALSE(seen[row]);
      seen[row] = true;
      EXPECT_EQ(part->target_item[k], data.target_item[row]);
      previous = row;
    }
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 400);
  EXPECT_TRUE(ThrowsNaming([&] { random_split(data, 1.0, 3); }, {"test_fraction must be in (0, 1)"}));
}

namespace {
// Rows tagged by their item id ("r<row>"), users as given.
RawDataset tagged_rows(const std::vector<std::string>& users) {
  RawDataset data;
  data.has_users = !users.empty();
  for (std::size_t row = 0; row < users.size(); ++row) {
    data.labels.push_back(double(row % 2));
    data.users.push_back(users[row]);
    data.target_item.push_back("r" + std::to_string(row));
    data.history_item.emplace_back();
  }
  return data;
}
}  // namespace

TEST(SplitLastPerUser, HoldsOutEachUsersLastImpressionsInFileOrder) {
  // u1 has 5 impressions, u2 3, u3 1, interleaved as a log is.
  const RawDataset data = tagged_rows({"u1", "u2", "u1", "u3", "u1", "u2", "u1", "u2", "u1"});
  const DataSplit split = split_last_per_user(data, 0.4);  // u1: round(2.0) = 2, u2: round(1.2) = 1, u3: 0
  EXPECT_EQ(split.test.target_item, (std::vector<std::string>{"r6", "r7", "r8"}));
  EXPECT_EQ(split.train.target_item, (std::vector<std::string>{"r0", "r1", "r2", "r3", "r4", "r5"}));
  EXPECT_EQ(split.test.users, (std::vector<std::string>{"u1", "u2", "u1"}));
  // Halves round up: 0.5 x 3 = 1.5 -> 2 of u2's three, 0.5 x 5 = 2.5 -> 3 of u1's five, 0.5 x 1 -> 1.
  EXPECT_EQ(split_last_per_user(data, 0.5).test.target_item,
            (std::vector<std::string>{"r3", "r4", "r5", "r6", "r7", "r8"}));
}

TEST(SplitLastPerUser, WithoutUsersHoldsOutTheLastRowsOfTheFile) {
  RawDataset data = tagged_rows({"a", "b", "c", "d", "e", "f", "g"});
  data.has_users = false;
  data.users.clear();
  const DataSplit split = split_last_per_user(data, 0.3);  // round(2.1) = 2
  EXPECT_EQ(split.test.target_item, (std::vector<std::string>{"r5", "r6"}));
  EXPECT_EQ(split.train.size(), 5u);
  EXPECT_TRUE(ThrowsNaming([&] { split_last_per_user(data, 0.0); }, {"fraction must be in (0, 1)"}));
}

