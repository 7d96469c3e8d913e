#include "data/movielens.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "data/text.h"

namespace recgrad {
namespace {

const char* const kNoGenres = "(no genres listed)";
const char* const kLiked = "liked";        // the feedback of a rating >= the threshold
const char* const kDisliked = "disliked";  // and of one below it

// Movie id -> number of its genre cell in InteractionLog::sides.
using Movies = std::unordered_map<std::string, std::uint32_t>;

void add_movie(const std::string& id, const std::vector<std::string>& genres, const TextLines& lines, Movies& movies,
               InteractionLog& log) {
  checked_value(id, lines, "movie id");
  for (const std::string& genre : genres) checked_value(genre, lines, "genre", "|");
  if (movies.count(id) != 0) throw lines.error("duplicate movie id '" + id + "'");
  movies.emplace(id, log.add_side(genres.empty() ? kNoGenres : join(genres, "|"), lines));
}

// "Comedy|Drama" as a list; "" and "(no genres listed)" as none.
std::vector<std::string> genre_list(const std::string& cell) {
  if (cell.empty() || cell == kNoGenres) return {};
  return split(cell, "|");
}

// u.genre: "name|index" for index 0, 1, ...; blank lines (the file ends with one) are skipped.
std::vector<std::string> read_genre_names(const std::string& path) {
  TextLines lines(path);
  std::vector<std::string> names;
  std::string line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    const std::vector<std::string> fields = split(line, "|");
    if (fields.size() != 2) throw lines.error("expected name|index, found '" + line + "'");
    if (parse_integer(fields[1], lines, "genre index") != static_cast<long long>(names.size()))
      throw lines.error("genre index must be " + std::to_string(names.size()) + ", found " + fields[1]);
    names.push_back(checked_value(fields[0], lines, "genre", "|"));
  }
  if (names.empty()) throw std::invalid_argument(path + ":1: no genres in the file");
  return names;
}

// MovieLens 100K: u.item's last fields are one 0/1 flag per genre of u.genre (or the standard 19).
Movies read_u_item(const std::string& dir, InteractionLog& log) {
  const std::vector<std::string> names =
      std::filesystem::exists(dir + "/u.genre")
          ? read_genre_names(dir + "/u.genre")
          : std::vector<std::string>{"unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                     "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                                     "Romance", "Sci-Fi", "Thriller", "War", "Western"};
  TextLines lines(dir + "/u.item");
  Movies movies;
  std::string line;
  while (next_record(lines, line)) {
    const std::vector<std::string> fields = split(line, "|");
    if (fields.size() < names.size() + 5)
      throw lines.error("expected movie id|title|release date|video release date|IMDb URL|" +
                        std::to_string(names.size()) + " genre flags, found " + std::to_string(fields.size()) + " fields");
    std::vector<std::string> genres;
    const std::size_t first_flag = fields.size() - names.size();
    for (std::size_t g = 0; g < names.size(); ++g) {
      const std::string& flag = fields[first_flag + g];
      if (flag != "0" && flag != "1") throw lines.error("genre flag " + names[g] + " must be 0 or 1, found '" + flag + "'");
      if (flag == "1") genres.push_back(names[g]);
    }
    add_movie(fields[0], genres, lines, movies, log);
  }
  return movies;
}

// MovieLens 1M: a title may hold anything, so the id is the first field and the genres the last.
Movies read_movies_dat(const std::string& dir, InteractionLog& log) {
  TextLines lines(dir + "/movies.dat");
  Movies movies;
  std::string line;
  while (next_record(lines, line)) {
    const std::vector<std::string> fields = split(line, "::");
    if (fields.size() < 3) throw lines.error("expected MovieID::Title::Genres, found '" + line + "'");
    add_movie(fields.front(), genre_list(fields.back()), lines, movies, log);
  }
  return movies;
}

// The fields of one RFC 4180 CSV line: a field in double quotes may hold commas and doubled quotes ("").
std::vector<std::string> csv_fields(const std::string& line, const TextLines& lines) {
  std::vector<std::string> fields;
  std::size_t at = 0;
  for (;;) {
    std::string field;
    if (at < line.size() && line[at] == '"') {
      for (++at;; ++at) {
        if (at == line.size()) throw lines.error("a quoted field is not closed");
        if (line[at] == '"' && (at + 1 == line.size() || line[at + 1] != '"')) break;
        if (line[at] == '"') ++at;  // a doubled quote stands for one
        field += line[at];
      }
      if (++at < line.size() && line[at] != ',') throw lines.error("a quoted field must end at a comma");
    } else {
      const std::size_t end = std::min(line.find(',', at), line.size());
      field = line.substr(at, end - at);
      if (field.find('"') != std::string::npos) throw lines.error("a quote inside an unquoted field");
      at = end;
    }
    fields.push_back(std::move(field));
    if (at == line.size()) return fields;
    ++at;  // past the comma
  }
}

// MovieLens latest, 25M and their small versions.
Movies read_movies_csv(const std::string& dir, InteractionLog& log) {
  TextLines lines(dir + "/movies.csv");
  expect_header(lines, "movieId,title,genres");
  Movies movies;
  std::string line;
  while (next_record(lines, line)) {
    const std::vector<std::string> fields = csv_fields(line, lines);
    if (fields.size() != 3) throw lines.error("expected movieId,title,genres, found " + std::to_string(fields.size()) + " fields");
    add_movie(fields[0], genre_list(fields[2]), lines, movies, log);
  }
  if (movies.empty()) throw lines.error("no movies after the header");
  return movies;
}

struct Layout {
  std::string name, ratings, movies;
  Movies (*read_movies)(const std::string& dir, InteractionLog& log);
  std::string separator, header, fields;  // of the ratings file
  bool half_stars;                        // ratings 0.5-5.0 in steps of 0.5, else integers 1-5
};

const std::vector<Layout>& layouts() {
  static const std::vector<Layout> all = {
      {"MovieLens 100K", "u.data", "u.item", read_u_item, "\t", "", "user TAB item TAB rating TAB timestamp", false},
      {"MovieLens 1M", "ratings.dat", "movies.dat", read_movies_dat, "::", "", "UserID::MovieID::Rating::Timestamp", false},
      {"MovieLens latest/25M", "ratings.csv", "movies.csv", read_movies_csv, ",", "userId,movieId,rating,timestamp",
       "userId,movieId,rating,timestamp", true},
  };
  return all;
}

const Layout& find_layout(const std::string& dir) {
  if (!std::filesystem::is_directory(dir))
    throw std::invalid_argument(dir + ": not a folder (prepare movielens reads the unzipped folder of a MovieLens download)");
  std::vector<const Layout*> found;
  std::string looked_for, names;
  for (const Layout& layout : layouts()) {
    looked_for += (looked_for.empty() ? "" : ", ") + layout.ratings + " and " + layout.movies + " (" + layout.name + ")";
    if (std::filesystem::exists(dir + "/" + layout.ratings) && std::filesystem::exists(dir + "/" + layout.movies)) {
      found.push_back(&layout);
      names += (names.empty() ? "" : ", ") + layout.name;
    }
  }
  if (found.size() == 1) return *found.front();
  if (found.empty()) throw std::invalid_argument(dir + ": no MovieLens files; looked for " + looked_for);
  throw std::invalid_argument(dir + ": holds the files of more than one MovieLens layout (" + names +
                              "); put each in its own folder");
}

// An integer 1-5, or with half stars 0.5-5.0 in steps of 0.5 ("3.5", "4.0", "4").
double parse_rating(const std::string& text, const TextLines& lines, bool half_stars) {
  const std::size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot), fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto digits = [](const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; };
  const bool well_formed = digits(whole) && (dot == std::string::npos || (half_stars && digits(fraction)));
  const double stars = well_formed ? std::strtod(text.c_str(), nullptr) : -1.0;
  if (!(stars >= (half_stars ? 0.5 : 1.0) && stars <= 5.0 && std::floor(2 * stars) == 2 * stars))
    throw lines.error(std::string("rating must be ") + (half_stars ? "0.5 to 5.0 in steps of 0.5" : "an integer 1 to 5") +
                      ", found '" + text + "'");
  return stars;
}

void read_ratings(const Layout& layout, const std::string& dir, const Movies& movies, double threshold,
                  InteractionLog& log) {
  TextLines lines(dir + "/" + layout.ratings);
  if (!layout.header.empty()) expect_header(lines, layout.header);
  const std::uint32_t feedback[2] = {log.add_feedback(kDisliked, lines), log.add_feedback(kLiked, lines)};
  std::string line;
  while (next_record(lines, line)) {
    const std::vector<std::string> fields = split(line, layout.separator);
    if (fields.size() != 4) throw lines.error("expected " + layout.fields + ", found '" + line + "'");
    const std::string& user = checked_value(fields[0], lines, "user id");
    const auto movie = movies.find(fields[1]);
    if (movie == movies.end()) throw lines.error("movie '" + fields[1] + "' is not in " + layout.movies);
    const bool positive = parse_rating(fields[2], lines, layout.half_stars) >= threshold;
    const long long timestamp = parse_integer(fields[3], lines, "timestamp");
    log.add(user, LogEvent{timestamp, log.items.add(fields[1]), movie->second, feedback[positive], positive});
  }
  if (log.users.size() == 0) throw lines.error("no ratings after the header");
}

}  // namespace

MovieLensLayout movielens_layout(const std::string& dir) {
  const Layout& layout = find_layout(dir);
  return {layout.name, dir + "/" + layout.ratings, dir + "/" + layout.movies};
}

PrepareSummary prepare_movielens(const std::string& dir, const std::string& out_dir, const MovieLensOptions& options) {
  check_options(options.impressions);
  if (!(options.threshold >= 0.5 && options.threshold <= 5.0))
    throw std::invalid_argument("prepare movielens: the threshold must be in [0.5, 5], got " +
                                std::to_string(options.threshold));
  const Layout& layout = find_layout(dir);
  InteractionLog log;
  const Movies movies = layout.read_movies(dir, log);
  read_ratings(layout, dir, movies, options.threshold, log);
  PrepareSummary summary =
      write_prepared(log, {"item_genres", "hist_genres", "|", "runs/movielens"}, options.impressions, out_dir);
  summary.source = layout.name + " in " + dir;
  return summary;
}

}  // namespace recgrad
