#pragma once
// Synthetic click data with planted structure, so the main command needs no download and the
// results can be checked against the truth.
//
// Items: item i has category i % num_categories, a random brand of that category (brand b belongs
// to category b % num_categories; num_brands / num_categories brands each) and a Zipf popularity
// (weight 1 / (rank + 1)^zipf_exponent over a random ranking). Users: interests over
// interests_per_user random categories with weights 0.2 + U(0, 1), normalised. Each user has a
// behaviour timeline of max_history items made of bursts (runs of mean length burst_mean in one
// category, drawn from the interests, or from any category with probability interest_noise), items
// drawn by popularity within the category. An impression takes a random user, a random prefix of
// the timeline as history (0 to max_history items, so some are empty), and a target whose category
// comes from the user's interests with probability target_from_interests
// (else any category). The click probability is
//
//   p = sigmoid(bias + match_weight * sum_j w_j * [category(history_j) == category(target)]
//               + popularity_weight * popularity(target))
//
// with j = 0 the most recent history item and popularity the standardised log Zipf weight. The weight
// of a behaviour decays with its index, w_j = recency_decay^j, or, when time_decay_hours = tau > 0,
// with its time gap to the impression, w_j = exp(-gap_j / tau) (recency_decay then unused); neither
// is divided by the history's length. The
// recency-weighted category match dominates; popularity is secondary. Because bursts shift the
// recent interest, the share of the target's category over the whole history (what mean pooling
// sees) predicts clicks clearly worse than the recent matches (what target attention can pick out).
//
// Times (seconds; features.timestamp "timestamp", features.history_timestamps "hist_timestamps"),
// drawn on a random stream of their own so that ids, labels and click probabilities do not depend on
// them: a user's timeline starts at 2017-07-14 + U(0, 30 days); the wait before an item is
// exponential with mean 10 minutes inside a burst and 2 days before the first item of a burst; the
// impression comes an exponential wait of mean 1 hour after its last history item (after the
// timeline's start when the history is empty). So the gap of the most recent behaviour is about an
// hour, a behaviour in the same burst adds ~10 minutes per step, and each earlier burst ~2 days.
// With time_decay_hours = 0 the click probability does not read the times: they carry recency and
// burst edges only. With a few hours, only the latest burst counts, by how long ago it was: what
// time-gap positions can see and index positions cannot.
#include <cstddef>
#include <cstdint>

#include "data/dataset.h"
#include "data/schema.h"

namespace recgrad {

struct SyntheticConfig {
  std::size_t num_users = 2000;
  std::size_t num_items = 1000;
  std::size_t num_categories = 20;
  std::size_t num_brands = 100;
  std::size_t impressions = 50000;
  std::size_t max_history = 30;
  std::size_t interests_per_user = 3;
  double interest_noise = 0.1;
  double burst_mean = 3.0;
  double target_from_interests = 0.5;
  double zipf_exponent = 1.0;
  double bias = -1.8;
  double match_weight = 2.5;
  double recency_decay = 0.6;
  double time_decay_hours = 0.0;  // > 0: weigh behaviours by exp(-gap / tau) instead of recency_decay^j
  double popularity_weight = 0.05;
  std::uint64_t seed = 1;
};

// Throws std::invalid_argument naming the parameter and the allowed range.
void validate(const SyntheticConfig& config);

// Ids "u5", "i42", "c3", "b7"; side fields "item_cate" and "item_brand"; times, click_probability
// and relevant (same category as the target) filled. Same config, same data.
RawDataset generate_synthetic(const SyntheticConfig& config);

// The column names used when a synthetic set is written as TSV (data/tsv_writer.h).
Schema synthetic_schema(std::size_t max_len);  // without the timestamp columns, as features' default
// The names under which the synthetic times are read (features.timestamp, features.history_timestamps).
inline constexpr const char* kSyntheticTimestamp = "timestamp";
inline constexpr const char* kSyntheticHistoryTimestamps = "hist_timestamps";

}  // namespace recgrad
