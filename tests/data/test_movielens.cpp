// MovieLens-1M conversion on a hand-made pair of files in its format (tests/data/movielens/).
#include <gtest/gtest.h>

#include "data/movielens.h"
#include "data/tsv_reader.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::read_file;
using recgrad::testing::test_dir;
using recgrad::testing::ThrowsNaming;
using recgrad::testing::write_file;

namespace {

const std::string kRatings = std::string(RECGRAD_DATA_FILES) + "/movielens/ratings.dat";
const std::string kMovies = std::string(RECGRAD_DATA_FILES) + "/movielens/movies.dat";
const std::string kHeader = "label\tuser_id\titem_id\titem_genre\thist_item_ids\thist_genres\n";

}  // namespace

// User 1 rated, by time: movie 1 (5 stars, t=100), 2 (2, t=200), 4 (3, t=200), 3 (4, t=300), 5 (4, t=500);
// user 2: movie 2 (4, t=50), 1 (1, t=60). ratings.dat lists them out of time order.
TEST(MovieLens, ConvertsToTimeOrderedTrainAndTest) {
  const std::string dir = test_dir();
  convert_movielens(kRatings, kMovies, dir + "/train.tsv", dir + "/test.tsv", MovieLensOptions{});
  // test_fraction 0.2: round(0.2 * 5) = 1 test rating for user 1, round(0.2 * 2) = 0 for user 2.
  EXPECT_EQ(read_file(dir + "/train.tsv"), kHeader +
                                               "1\t1\t1\tAnimation\t\t\n"
                                               "0\t1\t2\tAdventure\t1\tAnimation\n"
                                               "0\t1\t4\tAction\t1\tAnimation\n"  // t=200 as movie 2: not in its history
                                               "1\t1\t3\tComedy\t1,2,4\tAnimation,Adventure,Action\n"
                                               "1\t2\t2\tAdventure\t\t\n"
                                               "0\t2\t1\tAnimation\t2\tAdventure\n");
  EXPECT_EQ(read_file(dir + "/test.tsv"), kHeader + "1\t1\t5\tComedy\t1,2,4,3\tAnimation,Adventure,Action,Comedy\n");
  // and the reader takes it with the schema the converter announces
  const RawDataset test = read_tsv(dir + "/test.tsv", movielens_schema(3));
  EXPECT_EQ(test.history_item[0], (std::vector<std::string>{"2", "4", "3"}));
}

TEST(MovieLens, MaxHistoryKeepsTheMostRecentMovies) {
  const std::string dir = test_dir();
  MovieLensOptions options;
  options.max_history = 2;
  options.test_fraction = 0.0;
  convert_movielens(kRatings, kMovies, dir + "/train.tsv", dir + "/test.tsv", options);
  const RawDataset train = read_tsv(dir + "/train.tsv", movielens_schema(10));
  ASSERT_EQ(train.size(), 7u);
  EXPECT_EQ(train.history_item[4], (std::vector<std::string>{"4", "3"}));  // user 1's movie 5
  EXPECT_EQ(read_file(dir + "/test.tsv"), kHeader);
}

TEST(MovieLens, ErrorsNameFileAndLine) {
  const std::string dir = test_dir();
  const std::string out = dir + "/out.tsv";
  auto convert = [&](const std::string& ratings, const std::string& movies) {
    return [=] { convert_movielens(ratings, movies, out, out, MovieLensOptions{}); };
  };
  const std::string bad_rating = write_file(dir + "/r1.dat", "1::1::5::100\n1::2::6::200\n");
  EXPECT_TRUE(ThrowsNaming(convert(bad_rating, kMovies), {bad_rating + ":2: Rating must be 1 to 5, found 6"}));
  const std::string unknown_movie = write_file(dir + "/r2.dat", "1::99::5::100\n");
  EXPECT_TRUE(ThrowsNaming(convert(unknown_movie, kMovies), {unknown_movie + ":1: movie '99' is not in movies.dat"}));
  const std::string short_line = write_file(dir + "/r3.dat", "1::1::5::100\n1::2::5\n");
  EXPECT_TRUE(ThrowsNaming(convert(short_line, kMovies), {short_line + ":2: expected UserID::MovieID::Rating::Timestamp"}));
  const std::string bad_time = write_file(dir + "/r4.dat", "1::1::5::soon\n");
  EXPECT_TRUE(ThrowsNaming(convert(bad_time, kMovies), {bad_time + ":1: Timestamp must be a non-negative integer"}));
  const std::string bad_movies = write_file(dir + "/m.dat", "1::Toy Story (1995)::Animation\n2::Jumanji\n");
  EXPECT_TRUE(ThrowsNaming(convert(kRatings, bad_movies), {bad_movies + ":2: expected MovieID::Title::Genres"}));
  const std::string twice = write_file(dir + "/m2.dat", "1::A::Drama\n1::B::Comedy\n");
  EXPECT_TRUE(ThrowsNaming(convert(kRatings, twice), {twice + ":2: movie 1 appears twice"}));
}
