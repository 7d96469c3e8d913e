#pragma once
// Evaluation metrics of a click model. Labels are 0/1; anything else throws std::invalid_argument.
#include <cstdint>
#include <vector>

namespace recgrad {

// Area under the ROC curve: the probability that a random positive scores above a random negative,
// ties counting one half. Exact, via average ranks (Mann-Whitney U):
//   AUC = (sum of positives' ranks - P (P + 1) / 2) / (P N),   tied scores share their average rank.
// Undefined with only one class present: throws std::invalid_argument (so is a NaN score).
double auc(const std::vector<double>& scores, const std::vector<double>& labels);

// Mean binary cross-entropy of predicted click probabilities, each clipped to [eps, 1 - eps] with
// eps = 1e-7 (as Keras) so a confident mistake costs -log(1e-7) ~ 16.1, not infinity.
double logloss(const std::vector<double>& probabilities, const std::vector<double>& labels);
inline constexpr double kLoglossEps = 1e-7;

// Group AUC (DIN, Zhou et al. 2018): the AUC within each user, weighted by the user's impressions,
//   GAUC = sum_u n_u AUC_u / sum_u n_u,
// over the users that have both a click and a non-click (others are skipped). `users` holds any
// integer id per impression (EncodedDataset::user_groups). NaN (undefined, written as null) when no
// user has both classes, as in a split holding one impression per user; mismatched sizes throw.
double gauc(const std::vector<double>& scores, const std::vector<double>& labels, const std::vector<std::int64_t>& users);

}  // namespace recgrad
