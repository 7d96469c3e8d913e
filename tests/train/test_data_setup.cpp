// prepare_data: the three splits a run trains, validates and tests on.
#include <algorithm>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/synthetic.h"
#include "train/config.h"
#include "train/data_setup.h"

using namespace recgrad;

namespace {
// An impression as text: user, target, side info, history and the synthetic truth, so that equal keys
// mean the same generated row.
std::string key(const EncodedDataset& d, std::size_t row) {
  std::string k = std::to_string(d.user_groups.empty() ? -1 : d.users[row]) + "|" + std::to_string(d.target_item[row]);
  for (const auto& side : d.target_side) k += "|" + std::to_string(side[row]);
  k += "|";
  for (std::int64_t item : d.history_item[row]) k += std::to_string(item) + ",";
  return k + "|" + std::to_string(d.click_probability[row]) + "|" + std::to_string(d.labels[row]);
}
}  // namespace

TEST(PrepareData, SyntheticSplitsPartitionTheGeneratedImpressions) {
  const RunConfig config = parse_run_config(nlohmann::json{
      {"data", {{"synthetic", {{"num_users", 50}, {"num_items", 60}, {"impressions", 1000}, {"max_history", 6}}},
                {"test_fraction", 0.2}, {"validation_fraction", 0.25}}},
      {"features", {{"max_len", 6}}}});
  const PreparedData data = prepare_data(config);
  EXPECT_EQ(data.test.size(), 200u);   // round(0.2 x 1000)
  EXPECT_EQ(data.valid.size(), 200u);  // round(0.25 x 800)
  EXPECT_EQ(data.train.size(), 600u);

  // Every generated impression is in exactly one split: the multiset of the three splits' rows is the
  // generator's (the vocabulary is the training split's, so encode the whole set with it).
  RawDataset all = generate_synthetic(config.data.synthetic);
  const EncodedDataset whole = encode(all, data.vocabularies, config.features.max_len);
  std::map<std::string, int> count;
  for (std::size_t r = 0; r < whole.size(); ++r) ++count[key(whole, r)];
  for (const EncodedDataset* split : {&data.train, &data.valid, &data.test})
    for (std::size_t r = 0; r < split->size(); ++r) --count[key(*split, r)];
  EXPECT_TRUE(std::all_of(count.begin(), count.end(), [](const auto& entry) { return entry.second == 0; }));
}
