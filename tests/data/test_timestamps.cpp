// Times for time-gap positions (features.timestamp, features.history_timestamps): the reader's checks,
// each naming file:line; the writer's round trip; the gaps the encoder and the batcher carry; the
// synthetic times, which leave every other synthetic value as it was unless time_decay_hours weighs
// the click probability by them.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

#include "data/batcher.h"
#include "data/encoder.h"
#include "data/synthetic.h"
#include "data/tsv_reader.h"
#include "data/tsv_writer.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::small_synthetic_config;
using recgrad::testing::test_dir;
using recgrad::testing::ThrowsNaming;
using recgrad::testing::write_file;
using Times = std::vector<std::int64_t>;

namespace {

Schema timed_schema() {
  Schema schema;
  schema.user = "user_id";
  schema.item = "item_id";
  schema.history = "hist_item_ids";
  schema.timestamp = "timestamp";
  schema.history_timestamps = "hist_timestamps";
  schema.max_len = 10;
  return schema;
}

const std::string kHeader = "label\tuser_id\titem_id\thist_item_ids\ttimestamp\thist_timestamps\n";

// The message read_tsv throws on `content` names "<path>:<fragments[0]>" and the other fragments.
::testing::AssertionResult fails(const std::string& content, std::vector<std::string> fragments) {
  const std::string path = write_file(test_dir() + "/bad.tsv", kHeader + content);
  fragments[0] = path + ":" + fragments[0];
  return ThrowsNaming([&] { read_tsv(path, timed_schema()); }, fragments);
}

// FNV-1a over every main-stream column of a synthetic set: ids, labels, side info, histories, click
// probabilities (to 1e-9: their last bits differ between builds, e.g. -O1 without -march=native under
// the sanitizers, where libm and FMA round differently) and relevance.
std::uint64_t main_stream_fingerprint(const RawDataset& data) {
  std::uint64_t hash = 14695981039346656037ull;
  auto bytes = [&](const void* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) hash = (hash ^ static_cast<const unsigned char*>(p)[i]) * 1099511628211ull;
  };
  auto text = [&](const std::string& s) { bytes(s.data(), s.size() + 1); };
  for (std::size_t n = 0; n < data.size(); ++n) {
    bytes(&data.labels[n], sizeof(double));
    const long long p = std::llround(data.click_probability[n] * 1e9);
    bytes(&p, sizeof(p));
    text(data.users[n]);
    text(data.target_item[n]);
    for (std::size_t f = 0; f < data.side_fields.size(); ++f) {
      text(data.target_side[f][n]);
      for (const std::string& s : data.history_side[f][n]) text(s);
    }
    for (const std::string& s : data.history_item[n]) text(s);
    for (bool r : data.relevant[n]) bytes(&r, 1);
  }
  return hash;
}

}  // namespace

TEST(Timestamps, ReadAlignedWithTheHistoryAndCutWithIt) {
  Schema schema = timed_schema();
  schema.max_len = 2;
  const RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader +
                                                                         "1\tu1\ti9\ti1,i2,i3\t1000\t10,400,999\n"
                                                                         "0\tu1\ti8\t\t50\t\n"),
                                   schema);
  EXPECT_EQ(data.timestamp, (Times{1000, 50}));
  EXPECT_EQ(data.history_timestamps, (std::vector<Times>{{400, 999}, {}}));  // the most recent two, as the ids
  EXPECT_EQ(data.history_item[0], (std::vector<std::string>{"i2", "i3"}));
}

TEST(Timestamps, NewestFirstFileIsStoredOldestFirst) {
  Schema schema = timed_schema();
  schema.order = HistoryOrder::NewestFirst;
  const RawDataset data =
      read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "1\tu1\ti9\ti3,i2\t1000\t999,10\n"), schema);
  EXPECT_EQ(data.history_timestamps[0], (Times{10, 999}));
}

TEST(Timestamps, WithoutTheColumnsNothingIsRead) {
  Schema schema = timed_schema();
  schema.timestamp = schema.history_timestamps = "";
  const RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "1\tu1\ti9\ti1\tnot\tread\n"), schema);
  EXPECT_TRUE(data.timestamp.empty());
  EXPECT_TRUE(data.history_timestamps.empty());
}

TEST(Timestamps, OneColumnWithoutTheOtherIsRefused) {
  Schema schema = timed_schema();
  schema.history_timestamps = "";
  EXPECT_TRUE(ThrowsNaming([&] { validate(schema); }, {"timestamp and history_timestamps go together"}));
}

TEST(Timestamps, CountMismatchNamesFileAndLine) {
  EXPECT_TRUE(fails("1\tu1\ti9\ti1\t100\t5\n1\tu1\ti9\ti1,i2\t100\t5\n",
                    {"3: column 'hist_timestamps' has 1 entries but 'hist_item_ids' has 2"}));
}

TEST(Timestamps, BehaviourAfterItsImpressionNamesFileAndLine) {
  EXPECT_TRUE(fails("1\tu1\ti9\ti1,i2\t100\t5,101\n",
                    {"2: column 'hist_timestamps' has the behaviour time 101, later than the impression's timestamp 100"}));
}

TEST(Timestamps, NonIntegerNamesFileLineAndColumn) {
  EXPECT_TRUE(fails("1\tu1\ti9\ti1\t100.5\t5\n", {"2: column 'timestamp' must be an integer, found '100.5'"}));
  EXPECT_TRUE(fails("1\tu1\ti9\ti1\t100\tfive\n", {"2: column 'hist_timestamps' must be an integer, found 'five'"}));
  EXPECT_TRUE(fails("1\tu1\ti9\ti1\t\t5\n", {"2: column 'timestamp' must be an integer, found ''"}));
}

TEST(Timestamps, WriteThenReadGivesTheSameTimes) {
  RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "1\tu1\ti9\ti1,i2\t100\t5,100\n"
                                                                          "0\tu2\ti8\t\t7\t\n"),
                             timed_schema());
  const std::string path = test_dir() + "/b.tsv";
  write_tsv(data, path, timed_schema());
  const RawDataset again = read_tsv(path, timed_schema());
  EXPECT_EQ(again.timestamp, data.timestamp);
  EXPECT_EQ(again.history_timestamps, data.history_timestamps);
}

TEST(Timestamps, EncodedAsGapsMostRecentFirstAndPaddedWithZero) {
  const RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader +
                                                                         "1\tu1\ti9\ti1,i2,i3\t1000\t10,400,999\n"
                                                                         "0\tu1\ti8\ti1\t50\t50\n"),
                                   timed_schema());
  const EncodedDataset encoded = encode(data, build_vocabularies(data, timed_schema()), 10);
  EXPECT_EQ(encoded.time_gaps, (std::vector<Times>{{1, 600, 990}, {0}}));
  const Batch batch = make_batch(encoded, {1, 0});
  EXPECT_EQ(batch.time_gaps, (Times{0, 0, 0, 1, 600, 990}));  // row 1 first: its gap 0, then two padded slots
  RawDataset untimed = data;
  untimed.timestamp.clear();
  untimed.history_timestamps.clear();
  EXPECT_TRUE(make_batch(encode(untimed, build_vocabularies(untimed, timed_schema()), 10), {0}).time_gaps.empty());
}

TEST(Timestamps, EncodeRefusesABehaviourAfterItsImpression) {
  RawDataset data = read_tsv(write_file(test_dir() + "/a.tsv", kHeader + "1\tu1\ti9\ti1\t100\t5\n"), timed_schema());
  data.history_timestamps[0][0] = 101;
  EXPECT_TRUE(ThrowsNaming([&] { encode(data, build_vocabularies(data, timed_schema()), 10); },
                           {"row 0", "at 101", "impression at 100"}));
}

TEST(SyntheticTimes, EveryBehaviourPrecedesItsImpressionInTimelineOrder) {
  SyntheticConfig config;
  config.impressions = 2000;
  const RawDataset data = generate_synthetic(config);
  ASSERT_EQ(data.timestamp.size(), data.size());
  ASSERT_EQ(data.history_timestamps.size(), data.size());
  std::size_t within_a_day = 0, with_history = 0;
  for (std::size_t n = 0; n < data.size(); ++n) {
    const Times& times = data.history_timestamps[n];
    ASSERT_EQ(times.size(), data.history_item[n].size());
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
    if (times.empty()) continue;
    EXPECT_LE(times.back(), data.timestamp[n]);
    ++with_history;
    within_a_day += data.timestamp[n] - times.back() < 86400;
  }
  // The impression's wait after the last behaviour is exponential with mean 1 hour: e^-24 beyond a day.
  EXPECT_EQ(within_a_day, with_history);
}

// Golden values recorded with the generator before it drew times (commit a93fbc7), equal with -O1 and
// with -O3 -march=native: the times' own random stream leaves every id, label and click probability as it was.
TEST(SyntheticTimes, TheMainStreamIsUnchangedByTheTimes) {
  EXPECT_EQ(main_stream_fingerprint(generate_synthetic(small_synthetic_config())), 280767975466474874ull);
  EXPECT_EQ(main_stream_fingerprint(generate_synthetic(SyntheticConfig{})), 10843605718199026993ull);
}

namespace {

SyntheticConfig timed_config(double time_decay_hours) {
  SyntheticConfig config;
  config.num_users = 20;  // few users, so that many impressions share a user and a history length
  config.num_items = 60;
  config.num_categories = 6;
  config.num_brands = 12;
  config.impressions = 2000;
  config.max_history = 6;
  config.popularity_weight = 0.0;  // leaves the matches and their weights
  config.time_decay_hours = time_decay_hours;
  return config;
}

}  // namespace

TEST(SyntheticTimes, TimeDecayWeighsEachMatchByItsGapToTheImpression) {
  const SyntheticConfig config = timed_config(3.0);
  const RawDataset data = generate_synthetic(config);
  for (std::size_t n = 0; n < data.size(); ++n) {
    double match = 0.0;
    for (std::size_t k = 0; k < data.relevant[n].size(); ++k)
      if (data.relevant[n][k])
        match += std::exp(-static_cast<double>(data.timestamp[n] - data.history_timestamps[n][k]) / (3.0 * 3600.0));
    const double expected = 1.0 / (1.0 + std::exp(-(config.bias + config.match_weight * match)));
    EXPECT_NEAR(data.click_probability[n], expected, 1e-12) << "row " << n;
  }
}

// Two impressions of one user with the same history and matches differ only in the impression's time:
// with time decay their probabilities differ, without it they are equal.
TEST(SyntheticTimes, SameMatchesAtOtherGapsClickDifferentlyOnlyWithTimeDecay) {
  for (const double hours : {0.0, 3.0}) {
    const RawDataset data = generate_synthetic(timed_config(hours));
    std::size_t pairs = 0, differing = 0;
    for (std::size_t a = 0; a < data.size(); ++a)
      for (std::size_t b = a + 1; b < data.size(); ++b) {
        if (data.users[a] != data.users[b] || data.relevant[a] != data.relevant[b]) continue;
        // The latest behaviour matches, about an hour back: a match bursts ago weighs too little to show.
        if (data.relevant[a].empty() || !data.relevant[a].back()) continue;
        ASSERT_EQ(data.history_timestamps[a], data.history_timestamps[b]);  // same user, same prefix
        if (data.timestamp[a] == data.timestamp[b]) continue;
        ++pairs;
        differing += data.click_probability[a] != data.click_probability[b];
      }
    ASSERT_GT(pairs, 100u) << hours;
    if (hours == 0.0) EXPECT_EQ(differing, 0u);
    else EXPECT_EQ(differing, pairs);
  }
}

TEST(SyntheticTimes, NegativeTimeDecayIsNamed) {
  SyntheticConfig config = timed_config(-1.0);
  EXPECT_TRUE(ThrowsNaming([&] { generate_synthetic(config); }, {"time_decay_hours must be finite and >= 0"}));
}
