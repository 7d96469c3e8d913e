#include "metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>

namespace recgrad {
namespace {

void check_inputs(const char* metric, const std::vector<double>& scores, const std::vector<double>& labels) {
  if (scores.size() != labels.size())
    throw std::invalid_argument(std::string(metric) + ": " + std::to_string(scores.size()) + " scores but " +
                                std::to_string(labels.size()) + " labels");
  if (scores.empty()) throw std::invalid_argument(std::string(metric) + ": no impressions");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0.0 && labels[i] != 1.0)
      throw std::invalid_argument(std::string(metric) + ": label " + std::to_string(i) + " is " +
                                  std::to_string(labels[i]) + ", expected 0 or 1");
    if (std::isnan(scores[i])) throw std::invalid_argument(std::string(metric) + ": score " + std::to_string(i) + " is NaN");
  }
}

}  // namespace

double auc(const std::vector<double>& scores, const std::vector<double>& labels) {
  check_inputs("auc", scores, labels);
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });

  double positive_rank_sum = 0.0, positives = 0.0;
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start;  // [start, end) is a run of tied scores, ranks start + 1 ... end
    while (end < order.size() && scores[order[end]] == scores[order[start]]) ++end;
    const double average_rank = 0.5 * static_cast<double>(start + 1 + end);
    for (std::size_t i = start; i < end; ++i)
      if (labels[order[i]] == 1.0) {
        positive_rank_sum += average_rank;
        positives += 1.0;
      }
    start = end;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  if (positives == 0.0 || negatives == 0.0)
    throw std::invalid_argument("auc: undefined with only one class (" + std::to_string(static_cast<long>(positives)) +
                                " positives, " + std::to_string(static_cast<long>(negatives)) + " negatives)");
  return (positive_rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives);
}

double logloss(const std::vector<double>& probabilities, const std::vector<double>& labels) {
  check_inputs("logloss", probabilities, labels);
  double total = 0.0;
  for (std::size_t i = 0; i < probabilities.size(); ++i) {
    const double p = probabilities[i];
    if (!(p >= 0.0 && p <= 1.0))
      throw std::invalid_argument("logloss: probability " + std::to_string(i) + " is " + std::to_string(p) +
                                  ", outside [0, 1]");
    const double clipped = std::clamp(p, kLoglossEps, 1.0 - kLoglossEps);
    total -= labels[i] == 1.0 ? std::log(clipped) : std::log(1.0 - clipped);
  }
  return total / static_cast<double>(probabilities.size());
}

double gauc(const std::vector<double>& scores, const std::vector<double>& labels, const std::vector<std::int64_t>& users) {
  check_inputs("gauc", scores, labels);
  if (users.size() != scores.size())
    throw std::invalid_argument("gauc: " + std::to_string(scores.size()) + " scores but " + std::to_string(users.size()) +
                                " user ids");
  std::map<std::int64_t, std::vector<std::size_t>> impressions_of;
  for (std::size_t i = 0; i < users.size(); ++i) impressions_of[users[i]].push_back(i);

  double weighted_sum = 0.0, weight = 0.0;
  for (const auto& [user, impressions] : impressions_of) {
    std::vector<double> user_scores, user_labels;
    for (std::size_t i : impressions) {
      user_scores.push_back(scores[i]);
      user_labels.push_back(labels[i]);
    }
    const double clicks = std::accumulate(user_labels.begin(), user_labels.end(), 0.0);
    if (clicks == 0.0 || clicks == static_cast<double>(user_labels.size())) continue;
    const auto n = static_cast<double>(impressions.size());
    weighted_sum += n * auc(user_scores, user_labels);
    weight += n;
  }
  if (weight == 0.0) return std::nan("");  // no user has both a click and a non-click
  return weighted_sum / weight;
}

}  // namespace recgrad
