#pragma once
// MovieLens ratings (files the user downloads from grouplens.org) as interaction data. The layout is
// recognised by the files in the folder:
//
//   MovieLens 100K        u.data      user TAB item TAB rating TAB timestamp           ratings 1-5
//                         u.item      movie id|title|release date|video release date|IMDb URL|19 genre flags 0/1
//                         u.genre     name|index, one line per flag (optional: else the standard 19 names,
//                                     unknown, Action, ..., Western); u.item is Latin-1, only its ids are read
//   MovieLens 1M          ratings.dat UserID::MovieID::Rating::Timestamp                 ratings 1-5
//                         movies.dat  MovieID::Title::Genres   (id the first field, genres the last, "A|B")
//   MovieLens latest/25M  ratings.csv userId,movieId,rating,timestamp (header)         ratings 0.5-5.0 in half stars
//                         movies.csv  movieId,title,genres (header; RFC 4180 CSV, a title may be quoted and hold
//                                     commas and doubled quotes; genres "A|B" or "(no genres listed)")
//
// Every rating is an event of its user: item = the movie, positive when rating >= threshold, side info =
// ALL the movie's genres joined by "|" (a multi-valued cell, "Comedy|Drama"; a movie listed without genres
// gets "(no genres listed)"), feedback "liked" when rating >= threshold, else "disliked". data/interaction_log.h
// makes the impressions (time order, each user's first rating dropped, history = earlier ratings of any
// label with their feedback, the last share of each user's impressions to test) and writes OUT: train.tsv
// and test.tsv with the columns
//   label user_id item_id item_genres item_feedback timestamp hist_item_ids hist_genres hist_feedback hist_timestamps
// (history cells joined by ",", so "Comedy|Drama,Action" is two entries; item_feedback is always
// "candidate") and recgrad.json.
//
// Every input file is read and checked before anything is written. Errors name file:line: a malformed
// line, a rating out of range, a non-integer timestamp, a movie missing from the movies file, a duplicate
// movie id, a genre holding ",", "|", a TAB or a control character, an empty file.
#include <string>

#include "data/interaction_log.h"

namespace recgrad {

struct MovieLensOptions {
  double threshold = 4.0;  // label 1 when rating >= threshold; in [0.5, 5]
  ImpressionOptions impressions;
};

// The layout's name ("MovieLens 1M") and its two files, by the files present in `dir`. Throws naming
// the folder and the files looked for when it holds none of the layouts, or more than one.
struct MovieLensLayout {
  std::string name, ratings, movies;
};
MovieLensLayout movielens_layout(const std::string& dir);

PrepareSummary prepare_movielens(const std::string& dir, const std::string& out_dir, const MovieLensOptions& options);

}  // namespace recgrad
