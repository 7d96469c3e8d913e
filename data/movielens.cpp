#include "data/movielens.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "data/split.h"
#include "data/text.h"
#include "data/tsv_writer.h"

namespace recgrad {
namespace {

struct Rating {
  std::string movie;
  int stars;
  long long timestamp;
};

long long parse_count(const std::string& text, const TextLines& lines, const std::string& what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
    throw lines.error(what + " must be a non-negative integer, found '" + text + "'");
  try {
    return std::stoll(text);
  } catch (const std::out_of_range&) {
    throw lines.error(what + " '" + text + "' is too large");
  }
}

// MovieID -> first listed genre.
std::unordered_map<std::string, std::string> read_movie_genres(const std::string& path) {
  TextLines lines(path);
  std::unordered_map<std::string, std::string> genre;
  std::string line;
  while (lines.next(line)) {
    // A title may itself hold "::", so the id is the first field and the genres the last.
    const std::vector<std::string> fields = split(line, "::");
    if (fields.size() < 3) throw lines.error("expected MovieID::Title::Genres, found '" + line + "'");
    const std::string first_genre = split(fields.back(), "|").front();
    if (fields.front().empty()) throw lines.error("empty MovieID");
    if (first_genre.empty()) throw lines.error("movie " + fields.front() + " has no genre");
    if (!genre.emplace(fields.front(), first_genre).second)
      throw lines.error("movie " + fields.front() + " appears twice");
  }
  if (genre.empty()) throw std::invalid_argument(path + ": no movies in the file");
  return genre;
}

// Each user's ratings, users in order of first appearance.
struct UserRatings {
  std::vector<std::string> users;
  std::vector<std::vector<Rating>> ratings;
};

UserRatings read_ratings(const std::string& path, const std::unordered_map<std::string, std::string>& genre) {
  TextLines lines(path);
  UserRatings out;
  std::unordered_map<std::string, std::size_t> user_index;
  std::string line;
  while (lines.next(line)) {
    const std::vector<std::string> fields = split(line, "::");
    if (fields.size() != 4) throw lines.error("expected UserID::MovieID::Rating::Timestamp, found '" + line + "'");
    if (fields[0].empty()) throw lines.error("empty UserID");
    if (!genre.count(fields[1])) throw lines.error("movie '" + fields[1] + "' is not in movies.dat");
    const long long stars = parse_count(fields[2], lines, "Rating");
    if (stars < 1 || stars > 5) throw lines.error("Rating must be 1 to 5, found " + fields[2]);
    const long long timestamp = parse_count(fields[3], lines, "Timestamp");

    auto [it, is_new] = user_index.emplace(fields[0], out.users.size());
    if (is_new) {
      out.users.push_back(fields[0]);
      out.ratings.emplace_back();
    }
    out.ratings[it->second].push_back({fields[1], static_cast<int>(stars), timestamp});
  }
  if (out.users.empty()) throw std::invalid_argument(path + ": no ratings in the file");
  return out;
}

RawDataset empty_dataset() {
  RawDataset data;
  data.side_fields = movielens_schema(1).item_side;
  data.has_users = true;
  data.target_side.resize(1);
  data.history_side.resize(1);
  return data;
}

// One user's impressions, ratings sorted by time, the last test_count of them in `test`.
void add_user(const std::string& user, const std::vector<Rating>& ratings, std::size_t test_count,
              const std::unordered_map<std::string, std::string>& genre, std::size_t max_history, DataSplit& split) {
  std::size_t earlier = 0;  // ratings[0, earlier) have a smaller timestamp than ratings[k]
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    if (ratings[k].timestamp != ratings[earlier].timestamp) earlier = k;
    RawDataset& data = k + test_count < ratings.size() ? split.train : split.test;
    data.labels.push_back(ratings[k].stars >= 4 ? 1.0 : 0.0);
    data.users.push_back(user);
    data.target_item.push_back(ratings[k].movie);
    data.target_side[0].push_back(genre.at(ratings[k].movie));
    std::vector<std::string> history, history_genres;
    for (std::size_t j = earlier - std::min(earlier, max_history); j < earlier; ++j) {
      history.push_back(ratings[j].movie);
      history_genres.push_back(genre.at(ratings[j].movie));
    }
    data.history_item.push_back(std::move(history));
    data.history_side[0].push_back(std::move(history_genres));
  }
}

}  // namespace

void convert_movielens(const std::string& ratings_path, const std::string& movies_path, const std::string& train_path,
                       const std::string& test_path, const MovieLensOptions& options) {
  if (!(options.test_fraction >= 0.0 && options.test_fraction < 1.0))
    throw std::invalid_argument("movielens: test_fraction must be in [0, 1), got " + std::to_string(options.test_fraction));
  if (options.max_history == 0) throw std::invalid_argument("movielens: max_history must be at least 1");
  const auto genre = read_movie_genres(movies_path);
  UserRatings by_user = read_ratings(ratings_path, genre);

  // Written user by user, so memory holds the ratings but never all histories at once.
  const Schema schema = movielens_schema(options.max_history);
  TsvWriter train(train_path, schema, true), test(test_path, schema, true);
  for (std::size_t u = 0; u < by_user.users.size(); ++u) {
    std::vector<Rating>& ratings = by_user.ratings[u];
    std::stable_sort(ratings.begin(), ratings.end(),
                     [](const Rating& a, const Rating& b) { return a.timestamp < b.timestamp; });
    const auto test_count =
        static_cast<std::size_t>(std::llround(options.test_fraction * static_cast<double>(ratings.size())));
    DataSplit split{empty_dataset(), empty_dataset()};
    add_user(by_user.users[u], ratings, test_count, genre, options.max_history, split);
    train.write(split.train);
    test.write(split.test);
  }
  train.close();
  test.close();
}

Schema movielens_schema(std::size_t max_len) {
  Schema schema;
  schema.label = "label";
  schema.user = "user_id";
  schema.item = "item_id";
  schema.item_side = {"item_genre"};
  schema.history = "hist_item_ids";
  schema.history_side = {"hist_genres"};
  schema.max_len = max_len;
  return schema;
}

}  // namespace recgrad
