// `recgrad prepare events` on a hand-made behaviour log in the Taobao UserBehavior.csv layout
// (tests/data/events/: events.csv without a header, events_header.tsv the same events TAB-separated
// under a header), checked line by line against outputs worked out by hand.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/events.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using namespace recgrad::testing;  // test_dir, read_file, write_file, ThrowsNaming

namespace {

const std::string kEvents = std::string(RECGRAD_DATA_FILES) + "/events/events.csv";
const std::string kEventsWithHeader = std::string(RECGRAD_DATA_FILES) + "/events/events_header.tsv";
const std::string kHeader =
    "label\tuser_id\titem_id\titem_category\titem_feedback\ttimestamp\thist_item_ids\thist_categories\t"
    "hist_feedback\thist_timestamps\n";

// User 1, by time: item 99 (pv, t=1511544070), 2268318 (pv, the same time: 99 < 2268318 as numbers),
// 2333346 (pv), 2576651 (cart), 2333346 (buy); user 2: item 100 (buy), 200 (pv). Each user's first
// event is dropped; round(0.2 * 4) = 1 of user 1's impressions is test, round(0.2 * 1) = 0 of user 2's.
// A history entry's feedback is its behaviour; the target's is always candidate.
const std::string kTrain =
    kHeader + "0\t1\t2268318\t2520377\tcandidate\t1511544070\t99\t2520377\tpv\t1511544070\n" +
    "0\t1\t2333346\t2520771\tcandidate\t1511561733\t99,2268318\t2520377,2520377\tpv,pv\t1511544070,1511544070\n" +
    "1\t1\t2576651\t149192\tcandidate\t1511572885\t99,2268318,2333346\t2520377,2520377,2520771\tpv,pv,pv\t"
    "1511544070,1511544070,1511561733\n" +
    "0\t2\t200\t5\tcandidate\t1511600100\t100\t5\tbuy\t1511600000\n";
const std::string kTest = kHeader +
                          "1\t1\t2333346\t2520771\tcandidate\t1511600000\t99,2268318,2333346,2576651\t"
                          "2520377,2520377,2520771,149192\tpv,pv,pv,cart\t1511544070,1511544070,1511561733,1511572885\n";

EventsOptions with(double test_fraction, std::size_t max_len) {
  EventsOptions options;
  options.impressions = {test_fraction, max_len};
  return options;
}

}  // namespace

TEST(Events, CommaSeparatedWithoutHeader) {
  const std::string out = test_dir() + "/out";
  const PrepareSummary summary = prepare_events(kEvents, out, EventsOptions{});
  EXPECT_EQ(read_file(out + "/train.tsv"), kTrain);
  EXPECT_EQ(read_file(out + "/test.tsv"), kTest);
  EXPECT_EQ(summary.source, "events in " + kEvents);
  EXPECT_EQ(summary.events, 7u);
  EXPECT_EQ(summary.users, 2u);
  EXPECT_EQ(summary.items, 6u);
  EXPECT_EQ(summary.train.rows, 4u);
  EXPECT_EQ(summary.train.positives, 1u);
  EXPECT_EQ(summary.test.positives, 1u);
}

TEST(Events, TabSeparatedWithHeader) {
  const std::string out = test_dir() + "/out";
  EXPECT_EQ(prepare_events(kEventsWithHeader, out, EventsOptions{}).events, 7u);
  EXPECT_EQ(read_file(out + "/train.tsv"), kTrain);
  EXPECT_EQ(read_file(out + "/test.tsv"), kTest);
}

TEST(Events, PositiveBehavioursAreChosen) {
  const std::string out = test_dir() + "/out";
  EventsOptions options;
  options.positive = {"buy"};
  prepare_events(kEvents, out, options);
  const std::string cart = "1\t1\t2576651\t149192\tcandidate\t1511572885\t";
  std::string train = kTrain;
  train.replace(train.find(cart), 1, "0");
  EXPECT_EQ(read_file(out + "/train.tsv"), train);  // the feedback stays the behaviour
  EXPECT_EQ(read_file(out + "/test.tsv"), kTest);
}

// Each history entry carries its own behaviour, whatever the log calls it; the label follows --positive.
TEST(Events, HistoryFeedbackIsTheBehaviour) {
  const std::string dir = test_dir();
  const std::string log = write_file(dir + "/log.csv",
                                     "u,a,c1,pv,1\nu,b,c2,fav,2\nu,c,c1,cart,3\nu,d,c2,buy,4\nu,e,c1,share,5\nu,f,c2,pv,6\n");
  prepare_events(log, dir + "/out", with(0.0, 50));
  EXPECT_EQ(read_file(dir + "/out/train.tsv"),
            kHeader + "1\tu\tb\tc2\tcandidate\t2\ta\tc1\tpv\t1\n" +
                "1\tu\tc\tc1\tcandidate\t3\ta,b\tc1,c2\tpv,fav\t1,2\n" +
                "1\tu\td\tc2\tcandidate\t4\ta,b,c\tc1,c2,c1\tpv,fav,cart\t1,2,3\n" +
                "0\tu\te\tc1\tcandidate\t5\ta,b,c,d\tc1,c2,c1,c2\tpv,fav,cart,buy\t1,2,3,4\n" +
                "0\tu\tf\tc2\tcandidate\t6\ta,b,c,d,e\tc1,c2,c1,c2,c1\tpv,fav,cart,buy,share\t1,2,3,4,5\n");
}

// max_len 2 keeps the two most recent history entries; round(0.5 * 4) = 2 test rows of user 1,
// round(0.5 * 1) = 1 (halves up) of user 2.
TEST(Events, MaxLenAndTestShare) {
  const std::string out = test_dir() + "/out";
  prepare_events(kEvents, out, with(0.5, 2));
  EXPECT_EQ(read_file(out + "/train.tsv"),
            kHeader + "0\t1\t2268318\t2520377\tcandidate\t1511544070\t99\t2520377\tpv\t1511544070\n" +
                "0\t1\t2333346\t2520771\tcandidate\t1511561733\t99,2268318\t2520377,2520377\tpv,pv\t"
                "1511544070,1511544070\n");
  EXPECT_EQ(read_file(out + "/test.tsv"),
            kHeader + "1\t1\t2576651\t149192\tcandidate\t1511572885\t2268318,2333346\t2520377,2520771\tpv,pv\t"
                      "1511544070,1511561733\n" +
                "1\t1\t2333346\t2520771\tcandidate\t1511600000\t2333346,2576651\t2520771,149192\tpv,cart\t"
                "1511561733,1511572885\n" +
                "0\t2\t200\t5\tcandidate\t1511600100\t100\t5\tbuy\t1511600000\n");
}

TEST(Events, WritesAReadyConfig) {
  const std::string out = test_dir() + "/out";
  prepare_events(kEvents, out, EventsOptions{});
  EXPECT_EQ(nlohmann::json::parse(read_file(out + "/recgrad.json")), nlohmann::json::parse(R"({
    "data": {"source": "tsv", "train": "train.tsv", "test": "test.tsv"},
    "features": {"label": "label", "user": "user_id", "item": "item_id", "item_side": ["item_category", "item_feedback"],
                 "history": "hist_item_ids", "history_side": ["hist_categories", "hist_feedback"], "separator": ",",
                 "order": "oldest_first", "max_len": 50, "timestamp": "timestamp",
                 "history_timestamps": "hist_timestamps"},
    "model": {"attention": {"kind": "din"}},
    "output": {"dir": "runs/events"}})"));
}

TEST(Events, ErrorsNameFileAndLine) {
  const std::string dir = test_dir();
  int cases = 0;
  auto fails = [&](const std::string& text, const std::string& message) {
    const std::string path = write_file(dir + "/log" + std::to_string(++cases) + ".csv", text);
    return ThrowsNaming([&] { prepare_events(path, dir + "/out", EventsOptions{}); }, {path + ":" + message});
  };
  EXPECT_TRUE(fails("1,2,3,pv,10\n1,2,3,pv\n", "2: expected user,item,category,behaviour,timestamp, found 4 fields"));
  EXPECT_TRUE(fails("1\t2\t3\tpv\t10\n1\t2\t3\tpv\t10\t7\n",
                    "2: expected user,item,category,behaviour,timestamp separated by TABs, found 6 fields"));
  EXPECT_TRUE(fails("1,2,3,pv,10\n1,2,3,pv,later\n", "2: timestamp must be an integer, found 'later'"));
  EXPECT_TRUE(fails("a,b,c,d,e\n1,2,3,pv,10\n",
                    "1: timestamp must be an integer, found 'e' (a header line names the columns user,item,category,"
                    "behaviour,timestamp)"));
  EXPECT_TRUE(fails("1,,3,pv,10\n", "1: empty item id"));
  EXPECT_TRUE(fails("1\t2\tc,d\tpv\t10\n", "1: category 'c,d' holds one of ','"));
  EXPECT_TRUE(fails("1,2,3,pv,10\n1,3,3,candidate,20\n",
                    "2: behaviour 'candidate' is reserved: it is the item_feedback of every impression"));
  EXPECT_TRUE(fails("1\t2\t3\tp,v\t10\n", "1: behaviour 'p,v' holds one of ','"));
  EXPECT_TRUE(fails("1,2,3,p\x01v,10\n", "1: behaviour 'p\x01v' holds one of ',', a TAB or a control character"));
  EXPECT_TRUE(fails("1,2,3,,10\n", "1: empty behaviour"));
  std::string many;  // a behaviour a line: the 129th does not fit a LogEvent
  for (int b = 0; b < 129; ++b) many += "1,2,3,b" + std::to_string(b) + "," + std::to_string(b) + "\n";
  EXPECT_TRUE(fails(many, "129: more than 128 distinct feedback values"));
  EXPECT_TRUE(fails("1,2,3,pv,10\n\n", "2: empty line"));
  EXPECT_TRUE(fails("", "1: empty file"));
  EXPECT_TRUE(fails("user,item,category,behavior,timestamp\n", "1: no events after the header"));

  EventsOptions none;
  none.positive = {};
  EXPECT_TRUE(ThrowsNaming([&] { prepare_events(kEvents, dir + "/out", none); }, {"positive behaviours"}));
  EXPECT_TRUE(ThrowsNaming([&] { prepare_events(kEvents, dir + "/out", with(-0.1, 50)); }, {"test fraction"}));
  EXPECT_TRUE(ThrowsNaming([&] { prepare_events(dir + "/missing.csv", dir + "/out", EventsOptions{}); },
                           {"cannot open '" + dir + "/missing.csv'"}));
  EXPECT_FALSE(std::filesystem::exists(dir + "/out"));
}

TEST(Events, FailureLeavesNoOutputFolder) {
  const std::string dir = test_dir();
  const std::string log = write_file(dir + "/log.csv", read_file(kEvents) + "3,1,1,pv,x\n");
  EXPECT_THROW(prepare_events(log, dir + "/new/out", EventsOptions{}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir + "/new"));
}
