#pragma once
// MovieLens-1M (files the user downloads from grouplens.org) as interaction data.
//
//   movies.dat   MovieID::Title::Genres        genres joined by '|', e.g. "Animation|Children's|Comedy"
//   ratings.dat  UserID::MovieID::Rating::Timestamp
//
// Every rating is an impression: target = the movie, label = rating >= 4, side info = the movie's
// FIRST listed genre (a side-info field holds one value per item, and MovieLens lists the main genre
// first), history = the movies the user rated strictly earlier (ratings with the same timestamp do not
// see each other), whatever their rating, oldest first, at most max_history of the most recent ones.
// Split by time within each user: the last round(test_fraction * n) of a user's n ratings (by time)
// are test, the rest train, so the model predicts each user's future from their past. Rows are
// written user by user (in order of first appearance in ratings.dat), each user's by time.
#include <cstddef>
#include <string>

#include "data/schema.h"

namespace recgrad {

struct MovieLensOptions {
  double test_fraction = 0.2;     // in [0, 1)
  std::size_t max_history = 20;   // history entries kept per impression in the written TSV
};

// Writes train and test TSVs in movielens_schema's columns. Both input files are read and checked
// before anything is written; errors name file:line (a malformed line, a rating outside 1-5, a movie
// missing from movies.dat).
void convert_movielens(const std::string& ratings_path, const std::string& movies_path, const std::string& train_path,
                       const std::string& test_path, const MovieLensOptions& options);

// Columns of the converted TSV: label, user_id, item_id, item_genre, hist_item_ids, hist_genres;
// separator ",", oldest first.
Schema movielens_schema(std::size_t max_len);

}  // namespace recgrad
