// `recgrad prepare movielens` on hand-made folders in each layout (tests/data/movielens/: 1M in the
// folder itself, ml-100k/, ml-latest/), checked line by line against outputs worked out by hand.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "data/movielens.h"
#include "data/tsv_reader.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::read_file;
using recgrad::testing::test_dir;
using recgrad::testing::ThrowsNaming;
using recgrad::testing::write_file;

namespace {

const std::string kOneMillion = std::string(RECGRAD_DATA_FILES) + "/movielens";
const std::string kHundredK = kOneMillion + "/ml-100k";
const std::string kLatest = kOneMillion + "/ml-latest";
const std::string kHeader =
    "label\tuser_id\titem_id\titem_genres\titem_feedback\ttimestamp\thist_item_ids\thist_genres\thist_feedback\t"
    "hist_timestamps\n";
const std::string kToyStory = "Animation|Children's|Comedy";

MovieLensOptions with(double test_fraction, std::size_t max_len) {
  MovieLensOptions options;
  options.impressions = {test_fraction, max_len};
  return options;
}

// The columns of the written TSVs that the reader needs (timestamps left out).
Schema read_tsv_schema() {
  Schema schema;
  schema.user = "user_id";
  schema.item = "item_id";
  schema.item_side = {"item_genres", "item_feedback"};
  schema.history = "hist_item_ids";
  schema.history_side = {"hist_genres", "hist_feedback"};
  return schema;
}

// The hist_feedback cells of a written TSV, one per row.
std::vector<std::vector<std::string>> history_feedback(const std::string& path) {
  return read_tsv(path, read_tsv_schema()).history_side[1];
}

// The labels of a written TSV as text, "1100" (GCC 12 with AVX-512 miscompiles a vector<double>{1, 1, 0, 0}
// literal into {1, 1, 1, 1}, so the test compares no such literal).
std::string labels(const std::string& path) {
  std::string text;
  for (double label : read_tsv(path, read_tsv_schema()).labels) text += label == 1.0 ? '1' : '0';
  return text;
}

// A folder holding the given files (name -> content).
std::string folder(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : files) write_file(dir + "/" + name, content);
  return dir;
}

}  // namespace

// User 1 rated, by time: movie 1 (5 stars, t=100), 9 (3, t=200), 10 (2, t=200: after 9, ids compare as
// numbers), 3 (4, t=300), 5 (4, t=500); user 2: movie 2 (4, t=50), 1 (1, t=60). ratings.dat lists them out
// of time order. Each user's first rating is dropped; user 1 keeps 4 impressions, round(0.2 * 4) = 1 of
// them test; user 2 keeps 1, round(0.2 * 1) = 0 test. A history entry's feedback is liked at >= 4 stars
// (1 and 3 of user 1, 2 of user 2), else disliked (9, 10); the target's is always candidate.
TEST(MovieLens, OneMillionLayout) {
  const std::string out = test_dir() + "/out";
  const PrepareSummary summary = prepare_movielens(kOneMillion, out, MovieLensOptions{});
  EXPECT_EQ(read_file(out + "/train.tsv"),
            kHeader + "0\t1\t9\tAction\tcandidate\t200\t1\t" + kToyStory + "\tliked\t100\n" +
                "0\t1\t10\tAction|Adventure|Thriller\tcandidate\t200\t1,9\t" + kToyStory +
                ",Action\tliked,disliked\t100,200\n" +
                "1\t1\t3\tComedy|Romance\tcandidate\t300\t1,9,10\t" + kToyStory +
                ",Action,Action|Adventure|Thriller\tliked,disliked,disliked\t100,200,200\n" +
                "0\t2\t1\t" + kToyStory + "\tcandidate\t60\t2\tAdventure|Children's|Fantasy\tliked\t50\n");
  EXPECT_EQ(read_file(out + "/test.tsv"),
            kHeader + "1\t1\t5\tComedy|Romance\tcandidate\t500\t1,9,10,3\t" + kToyStory +
                ",Action,Action|Adventure|Thriller,Comedy|Romance\tliked,disliked,disliked,liked\t100,200,200,300\n");
  EXPECT_EQ(summary.source, "MovieLens 1M in " + kOneMillion);
  EXPECT_EQ(summary.events, 7u);
  EXPECT_EQ(summary.users, 2u);
  EXPECT_EQ(summary.items, 6u);  // movie 4 is never rated
  EXPECT_EQ(summary.train.rows, 4u);
  EXPECT_EQ(summary.train.positives, 1u);
  EXPECT_EQ(summary.test.rows, 1u);
  EXPECT_EQ(summary.test.positives, 1u);
  EXPECT_EQ(describe(summary), "MovieLens 1M in " + kOneMillion + ": 7 events, 2 users, 6 items\n" +
                                   "train: 4 rows, 25.0% positive\ntest:  1 rows, 100.0% positive\nwrote " + out +
                                   "/train.tsv, " + out + "/test.tsv and " + out + "/recgrad.json\n");
}

// User 196: movie 1 (5, t=881250949), 3 (3, same time: ids 1 < 3), 267 (4), 4 (1); user 186: movie 1
// (4), 2 (2, same time), 4 (5). Genres from u.item's flags, named by u.genre; 3 impressions of user 196
// give round(0.6) = 1 test row, 2 of user 186 round(0.4) = 0. Liked: 1 and 267 of user 196, 1 of user 186.
const std::string kHundredKTrain =
    kHeader + "0\t196\t3\tThriller\tcandidate\t881250949\t1\t" + kToyStory + "\tliked\t881250949\n" +
    "1\t196\t267\tunknown\tcandidate\t881251000\t1,3\t" + kToyStory + ",Thriller\tliked,disliked\t881250949,881250949\n" +
    "0\t186\t2\tAction|Adventure|Thriller\tcandidate\t891717742\t1\t" + kToyStory + "\tliked\t891717742\n" +
    "1\t186\t4\tDrama|Musical\tcandidate\t891718000\t1,2\t" + kToyStory +
    ",Action|Adventure|Thriller\tliked,disliked\t891717742,891717742\n";
const std::string kHundredKTest = kHeader + "0\t196\t4\tDrama|Musical\tcandidate\t881252000\t1,3,267\t" + kToyStory +
                                  ",Thriller,unknown\tliked,disliked,liked\t881250949,881250949,881251000\n";

TEST(MovieLens, HundredKLayout) {
  const std::string out = test_dir() + "/out";
  EXPECT_EQ(prepare_movielens(kHundredK, out, MovieLensOptions{}).source, "MovieLens 100K in " + kHundredK);
  EXPECT_EQ(read_file(out + "/train.tsv"), kHundredKTrain);
  EXPECT_EQ(read_file(out + "/test.tsv"), kHundredKTest);
}

TEST(MovieLens, HundredKWithoutUGenreUsesTheStandardNames) {
  const std::string dir = test_dir();
  folder(dir + "/in", {{"u.data", read_file(kHundredK + "/u.data")}, {"u.item", read_file(kHundredK + "/u.item")}});
  prepare_movielens(dir + "/in", dir + "/out", MovieLensOptions{});
  EXPECT_EQ(read_file(dir + "/out/train.tsv"), kHundredKTrain);
  EXPECT_EQ(read_file(dir + "/out/test.tsv"), kHundredKTest);
}

TEST(MovieLens, HundredKNamesGenresAfterUGenre) {
  const std::string dir = test_dir();
  std::string names;
  for (int g = 0; g < 19; ++g) names += "g" + std::to_string(g) + "|" + std::to_string(g) + "\n";
  folder(dir + "/in", {{"u.data", read_file(kHundredK + "/u.data")},
                       {"u.item", read_file(kHundredK + "/u.item")},
                       {"u.genre", names}});
  prepare_movielens(dir + "/in", dir + "/out", MovieLensOptions{});
  EXPECT_EQ(read_file(dir + "/out/test.tsv"),
            kHeader + "0\t196\t4\tg8|g12\tcandidate\t881252000\t1,3,267\tg3|g4|g5,g16,g0\tliked,disliked,liked\t"
                      "881250949,881250949,881251000\n");
}

// User 7: movie 1 (4.0, t=900), 2 (5.0, t=1000), 11 (3.5, t=1000: after 2 as numbers, though "11" < "2"
// byte-wise), 100 (0.5, t=1100); user 3: movie 1 (4.5), 2 (3). Titles hold commas and doubled quotes.
// 4.0 is liked (the threshold is inclusive), 3.5 disliked.
TEST(MovieLens, LatestLayoutWithQuotedTitlesAndHalfStars) {
  const std::string out = test_dir() + "/out";
  EXPECT_EQ(prepare_movielens(kLatest, out, MovieLensOptions{}).source, "MovieLens latest/25M in " + kLatest);
  const std::string toy = "Adventure|Animation|Children|Comedy|Fantasy", jumanji = "Adventure|Children|Fantasy";
  EXPECT_EQ(read_file(out + "/train.tsv"),
            kHeader + "1\t7\t2\t" + jumanji + "\tcandidate\t1000\t1\t" + toy + "\tliked\t900\n" +
                "0\t7\t11\tComedy|Drama|Romance\tcandidate\t1000\t1,2\t" + toy + "," + jumanji + "\tliked,liked\t900,1000\n" +
                "0\t3\t2\t" + jumanji + "\tcandidate\t60\t1\t" + toy + "\tliked\t50\n");
  EXPECT_EQ(read_file(out + "/test.tsv"), kHeader + "0\t7\t100\t(no genres listed)\tcandidate\t1100\t1,2,11\t" + toy +
                                              "," + jumanji + ",Comedy|Drama|Romance\tliked,liked,disliked\t900,1000,1000\n");
}

// The threshold decides the history's feedback as it does the labels: movie 11 (3.5 stars) of user 7 is
// disliked at the default 4 and liked at 3.5; at 5 only movie 2 (5 stars) is liked.
TEST(MovieLens, ThresholdIsInclusiveAndTakesHalfStars) {
  const std::string out = test_dir() + "/out";
  MovieLensOptions options = with(0.0, 50);
  prepare_movielens(kLatest, out, options);
  using Cells = std::vector<std::vector<std::string>>;
  EXPECT_EQ(history_feedback(out + "/train.tsv"),
            (Cells{{"liked"}, {"liked", "liked"}, {"liked", "liked", "disliked"}, {"liked"}}));
  options.threshold = 3.5;
  prepare_movielens(kLatest, out, options);
  EXPECT_EQ(read_tsv(out + "/train.tsv", read_tsv_schema()).target_item,
            (std::vector<std::string>{"2", "11", "100", "2"}));
  EXPECT_EQ(labels(out + "/train.tsv"), "1100");  // 5.0, 3.5, 0.5, 3
  EXPECT_EQ(history_feedback(out + "/train.tsv"),
            (Cells{{"liked"}, {"liked", "liked"}, {"liked", "liked", "liked"}, {"liked"}}));
  options.threshold = 5.0;
  prepare_movielens(kLatest, out, options);
  EXPECT_EQ(labels(out + "/train.tsv"), "1000");
  EXPECT_EQ(history_feedback(out + "/train.tsv"),
            (Cells{{"disliked"}, {"disliked", "liked"}, {"disliked", "liked", "disliked"}, {"disliked"}}));
  options.threshold = 3.0;
  prepare_movielens(kLatest, out, options);
  EXPECT_EQ(labels(out + "/train.tsv"), "1101");
}

TEST(MovieLens, MaxLenKeepsTheMostRecentHistory) {
  const std::string out = test_dir() + "/out";
  prepare_movielens(kOneMillion, out, with(0.2, 2));
  EXPECT_EQ(read_file(out + "/test.tsv"),
            kHeader + "1\t1\t5\tComedy|Romance\tcandidate\t500\t10,3\tAction|Adventure|Thriller,Comedy|Romance\t"
                      "disliked,liked\t200,300\n");
  const RawDataset train = read_tsv(out + "/train.tsv", read_tsv_schema());
  EXPECT_EQ(train.history_item[2], (std::vector<std::string>{"9", "10"}));  // movie 3's, was 1,9,10
}

// round(test_fraction * n) of a user's n impressions, halves up: 0.5 * 4 = 2 of user 1, 0.5 * 1 -> 1 of user 2.
TEST(MovieLens, TestShareRoundsHalvesUp) {
  const std::string out = test_dir() + "/out";
  prepare_movielens(kOneMillion, out, with(0.5, 50));
  EXPECT_EQ(read_tsv(out + "/train.tsv", read_tsv_schema()).target_item, (std::vector<std::string>{"9", "10"}));
  EXPECT_EQ(read_tsv(out + "/test.tsv", read_tsv_schema()).target_item, (std::vector<std::string>{"3", "5", "1"}));
  prepare_movielens(kOneMillion, out, with(0.0, 50));  // and an existing OUT is overwritten
  EXPECT_EQ(read_tsv(out + "/train.tsv", read_tsv_schema()).size(), 5u);
  EXPECT_EQ(read_file(out + "/test.tsv"), kHeader);
}

TEST(MovieLens, WritesAReadyConfig) {
  const std::string out = test_dir() + "/out";
  prepare_movielens(kOneMillion, out, with(0.2, 7));
  const nlohmann::json config = nlohmann::json::parse(read_file(out + "/recgrad.json"));
  EXPECT_EQ(config, nlohmann::json::parse(R"({
    "data": {"source": "tsv", "train": "train.tsv", "test": "test.tsv"},
    "features": {"label": "label", "user": "user_id", "item": "item_id", "item_side": ["item_genres", "item_feedback"],
                 "history": "hist_item_ids", "history_side": ["hist_genres", "hist_feedback"], "separator": ",",
                 "order": "oldest_first", "max_len": 7, "multi_valued": {"item_genres": "|"},
                 "timestamp": "timestamp", "history_timestamps": "hist_timestamps"},
    "model": {"attention": {"kind": "din"}},
    "output": {"dir": "runs/movielens"}})"));
  // no temporary file is left beside them
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(out)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"recgrad.json", "test.tsv", "train.tsv"}));
}

TEST(MovieLens, FindsTheLayoutByItsFiles) {
  const std::string dir = test_dir();
  EXPECT_EQ(movielens_layout(kHundredK).name, "MovieLens 100K");
  EXPECT_EQ(movielens_layout(kOneMillion).ratings, kOneMillion + "/ratings.dat");
  EXPECT_EQ(movielens_layout(kLatest).movies, kLatest + "/movies.csv");
  const std::string none = folder(dir + "/none", {{"ratings.dat", "1::1::5::1\n"}, {"u.item", "x\n"}});
  EXPECT_TRUE(ThrowsNaming([&] { movielens_layout(none); },
                           {none + ": no MovieLens files; looked for u.data and u.item (MovieLens 100K), ratings.dat and "
                                   "movies.dat (MovieLens 1M), ratings.csv and movies.csv (MovieLens latest/25M)"}));
  const std::string both = folder(dir + "/both", {{"ratings.dat", ""}, {"movies.dat", ""}, {"ratings.csv", ""}, {"movies.csv", ""}});
  EXPECT_TRUE(ThrowsNaming([&] { movielens_layout(both); },
                           {both + ": holds the files of more than one MovieLens layout (MovieLens 1M, MovieLens latest/25M)"}));
  EXPECT_TRUE(ThrowsNaming([&] { movielens_layout(dir + "/missing"); }, {dir + "/missing: not a folder"}));
}

TEST(MovieLens, ErrorsNameFileAndLine) {
  const std::string dir = test_dir();
  const std::string movies = read_file(kOneMillion + "/movies.dat");
  int cases = 0;
  // A 1M folder with these ratings (and the fixture's movies), or these movies (and one good rating).
  auto ratings_fail = [&](const std::string& ratings, const std::string& message) {
    const std::string in = folder(dir + "/r" + std::to_string(++cases), {{"ratings.dat", ratings}, {"movies.dat", movies}});
    return ThrowsNaming([&] { prepare_movielens(in, dir + "/out", MovieLensOptions{}); }, {in + "/ratings.dat:" + message});
  };
  auto movies_fail = [&](const std::string& text, const std::string& message) {
    const std::string in = folder(dir + "/m" + std::to_string(++cases), {{"ratings.dat", "1::1::5::1\n"}, {"movies.dat", text}});
    return ThrowsNaming([&] { prepare_movielens(in, dir + "/out", MovieLensOptions{}); }, {in + "/movies.dat:" + message});
  };
  EXPECT_TRUE(ratings_fail("1::1::5::100\n1::2::6::200\n", "2: rating must be an integer 1 to 5, found '6'"));
  EXPECT_TRUE(ratings_fail("1::1::4.5::100\n", "1: rating must be an integer 1 to 5, found '4.5'"));
  EXPECT_TRUE(ratings_fail("1::99::5::100\n", "1: movie '99' is not in movies.dat"));
  EXPECT_TRUE(ratings_fail("1::1::5::100\n1::2::5\n", "2: expected UserID::MovieID::Rating::Timestamp"));
  EXPECT_TRUE(ratings_fail("1::1::5::soon\n", "1: timestamp must be an integer, found 'soon'"));
  EXPECT_TRUE(ratings_fail("1::1::5::100\n\n1::2::5::200\n", "2: empty line"));
  EXPECT_TRUE(ratings_fail("", "1: empty file"));
  EXPECT_TRUE(ratings_fail("a,b::1::5::100\n", "1: user id 'a,b' holds one of ','"));
  EXPECT_TRUE(movies_fail("1::Toy Story (1995)::Animation\n2::Jumanji\n", "2: expected MovieID::Title::Genres"));
  EXPECT_TRUE(movies_fail("1::A::Drama\n1::B::Comedy\n", "2: duplicate movie id '1'"));
  EXPECT_TRUE(movies_fail("1::A::Drama|Sci,Fi\n", "1: genre 'Sci,Fi' holds one of ',', '|', a TAB or a control character"));
  EXPECT_TRUE(movies_fail("1::A::Drama|Sci\tFi\n", "1: genre 'Sci\tFi' holds one of"));
  EXPECT_TRUE(movies_fail("1::A::Drama||Comedy\n", "1: empty genre"));
  EXPECT_TRUE(movies_fail("", "1: empty file"));

  const std::string u_data = read_file(kHundredK + "/u.data"), u_item = read_file(kHundredK + "/u.item");
  auto hundred_k_fail = [&](const std::vector<std::pair<std::string, std::string>>& files, const std::string& message) {
    const std::string in = folder(dir + "/k" + std::to_string(++cases), files);
    return ThrowsNaming([&] { prepare_movielens(in, dir + "/out", MovieLensOptions{}); }, {in + "/" + message});
  };
  EXPECT_TRUE(hundred_k_fail({{"u.data", "1\t1\t5\n"}, {"u.item", u_item}},
                             "u.data:1: expected user TAB item TAB rating TAB timestamp"));
  EXPECT_TRUE(hundred_k_fail({{"u.data", u_data}, {"u.item", "1|Toy Story|||" + std::string(19, '0') + "\n"}},
                             "u.item:1: expected movie id|title|release date|video release date|IMDb URL|19 genre flags"));
  EXPECT_TRUE(hundred_k_fail({{"u.data", u_data}, {"u.item", "1|T|||url|0|2|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0\n"}},
                             "u.item:1: genre flag Action must be 0 or 1, found '2'"));
  EXPECT_TRUE(hundred_k_fail({{"u.data", u_data}, {"u.item", u_item}, {"u.genre", "unknown|0\nSci,Fi|1\n"}},
                             "u.genre:2: genre 'Sci,Fi' holds one of"));
  EXPECT_TRUE(hundred_k_fail({{"u.data", u_data}, {"u.item", u_item}, {"u.genre", "unknown|0\nAction|2\n"}},
                             "u.genre:2: genre index must be 1, found 2"));

  const std::string movies_csv = read_file(kLatest + "/movies.csv");
  auto latest_fail = [&](const std::string& ratings, const std::string& movies_text, const std::string& message) {
    const std::string in = folder(dir + "/l" + std::to_string(++cases), {{"ratings.csv", ratings}, {"movies.csv", movies_text}});
    return ThrowsNaming([&] { prepare_movielens(in, dir + "/out", MovieLensOptions{}); }, {in + "/" + message});
  };
  const std::string header = "userId,movieId,rating,timestamp\n";
  EXPECT_TRUE(latest_fail(header + "1,1,4.0,10\n1,2,5.5,20\n", movies_csv,
                          "ratings.csv:3: rating must be 0.5 to 5.0 in steps of 0.5, found '5.5'"));
  EXPECT_TRUE(latest_fail(header + "1,1,4.25,10\n", movies_csv, "ratings.csv:2: rating must be 0.5 to 5.0"));
  EXPECT_TRUE(latest_fail(header + "1,1,0.0,10\n", movies_csv, "ratings.csv:2: rating must be 0.5 to 5.0"));
  EXPECT_TRUE(latest_fail(header + "1,1,4,1.5e9\n", movies_csv, "ratings.csv:2: timestamp must be an integer"));
  EXPECT_TRUE(latest_fail("1,1,4.0,10\n", movies_csv,
                          "ratings.csv:1: expected the header 'userId,movieId,rating,timestamp', found '1,1,4.0,10'"));
  EXPECT_TRUE(latest_fail(header, movies_csv, "ratings.csv:1: no ratings after the header"));
  EXPECT_TRUE(latest_fail(header + "1,1,4.0,10\n", "movieId,title,genres\n1,\"Toy Story, (1995),Comedy\n",
                          "movies.csv:2: a quoted field is not closed"));
  EXPECT_TRUE(latest_fail(header + "1,1,4.0,10\n", "movieId,title,genres\n1,\"Toy\" Story,Comedy\n",
                          "movies.csv:2: a quoted field must end at a comma"));
  EXPECT_TRUE(latest_fail(header + "1,1,4.0,10\n", "movieId,title,genres\n1,Toy Story,Comedy\n1,Again,Drama\n",
                          "movies.csv:3: duplicate movie id '1'"));
  EXPECT_TRUE(latest_fail(header + "1,1,4.0,10\n", "movieId,title,genres\n1,Toy Story\n",
                          "movies.csv:2: expected movieId,title,genres, found 2 fields"));

  EXPECT_TRUE(ThrowsNaming([&] { prepare_movielens(kOneMillion, dir + "/out", with(1.0, 50)); },
                           {"the test fraction must be in [0, 1)"}));
  EXPECT_TRUE(ThrowsNaming([&] { prepare_movielens(kOneMillion, dir + "/out", with(0.2, 0)); },
                           {"max_len must be at least 1"}));
  MovieLensOptions zero;
  zero.threshold = 0;
  EXPECT_TRUE(ThrowsNaming([&] { prepare_movielens(kOneMillion, dir + "/out", zero); }, {"threshold must be in [0.5, 5]"}));
  EXPECT_FALSE(std::filesystem::exists(dir + "/out"));
}

TEST(MovieLens, FailureLeavesNoOutputFolder) {
  const std::string dir = test_dir();
  const std::string in = folder(dir + "/in", {{"ratings.dat", "1::1::5::100\n1::2::9::200\n"},
                                              {"movies.dat", read_file(kOneMillion + "/movies.dat")}});
  EXPECT_THROW(prepare_movielens(in, dir + "/new/out", MovieLensOptions{}), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(dir + "/new"));
  // A failure while writing removes what this run wrote, and only that.
  const std::string blocked = dir + "/blocked";
  std::filesystem::create_directories(blocked + "/test.tsv.tmp/in-the-way");
  EXPECT_ANY_THROW(prepare_movielens(kOneMillion, blocked, MovieLensOptions{}));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(blocked)) names.push_back(entry.path().filename().string());
  EXPECT_EQ(names, (std::vector<std::string>{"test.tsv.tmp"}));
}
