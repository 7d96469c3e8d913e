// AUC, logloss and GAUC on cases small enough to compute by hand, ties included.
#include <cmath>

#include <gtest/gtest.h>

#include "core/random.h"
#include "metrics/metrics.h"

using namespace recgrad;

TEST(Auc, HandComputedWithoutTies) {
  // Pairs (positive, negative): (0.8,0.1) (0.8,0.6) (0.4,0.1) (0.4,0.6): 3 of 4 ordered right.
  EXPECT_DOUBLE_EQ(auc({0.1, 0.4, 0.6, 0.8}, {0, 1, 0, 1}), 0.75);
}

TEST(Auc, TiedPairsCountOneHalf) {
  // Positives 0.5, 0.9; negatives 0.5, 0.2. Pairs: (0.5,0.5) tie = 1/2, (0.5,0.2) = 1, (0.9,*) = 2. 3.5 / 4.
  EXPECT_DOUBLE_EQ(auc({0.5, 0.5, 0.9, 0.2}, {1, 0, 1, 0}), 0.875);
}

TEST(Auc, AllScoresTiedGiveOneHalf) { EXPECT_DOUBLE_EQ(auc({0.3, 0.3, 0.3}, {1, 0, 0}), 0.5); }

TEST(Auc, PerfectAndReversedRankings) {
  EXPECT_DOUBLE_EQ(auc({0.1, 0.2, 0.9}, {0, 0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(auc({0.9, 0.8, 0.1}, {0, 0, 1}), 0.0);
}

TEST(Auc, MatchesCountingEveryPairOnRandomScoresWithTies) {
  Rng rng(3);
  std::vector<double> scores, labels;
  for (int i = 0; i < 300; ++i) {
    scores.push_back(static_cast<double>(rng.below(20)) / 20.0);  // many ties
    labels.push_back(rng.uniform() < 0.3 ? 1.0 : 0.0);
  }
  double wins = 0.0, pairs = 0.0;
  for (std::size_t i = 0; i < scores.size(); ++i)
    for (std::size_t j = 0; j < scores.size(); ++j)
      if (labels[i] == 1.0 && labels[j] == 0.0) {
        pairs += 1.0;
        wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      }
  EXPECT_NEAR(auc(scores, labels), wins / pairs, 1e-12);
}

TEST(Auc, UndefinedWithOneClassOrBadInput) {
  EXPECT_THROW(auc({0.1, 0.2}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(auc({0.1, 0.2}, {0, 2}), std::invalid_argument);
  EXPECT_THROW(auc({0.1}, {0, 1}), std::invalid_argument);
  EXPECT_THROW(auc({NAN, 0.2}, {0, 1}), std::invalid_argument);
  EXPECT_THROW(auc({}, {}), std::invalid_argument);
}

TEST(Logloss, HandComputed) {
  // -(log 0.8 + log(1 - 0.4)) / 2
  EXPECT_NEAR(logloss({0.8, 0.4}, {1, 0}), -(std::log(0.8) + std::log(0.6)) / 2.0, 1e-15);
}

TEST(Logloss, CertainMistakesAreClippedNotInfinite) {
  EXPECT_NEAR(logloss({0.0, 1.0}, {1, 0}), -std::log(kLoglossEps), 1e-9);
  EXPECT_NEAR(logloss({1.0}, {1}), -std::log(1.0 - kLoglossEps), 1e-15);
}

TEST(Logloss, ProbabilityOutsideUnitIntervalThrows) {
  EXPECT_THROW(logloss({1.2}, {1}), std::invalid_argument);
  EXPECT_THROW(logloss({-0.1}, {0}), std::invalid_argument);
}

TEST(Gauc, WeightsUsersByImpressionsAndSkipsOneClassUsers) {
  // user 7: scores 0.1 0.4 0.6 0.8 labels 0 1 0 1 -> AUC 0.75, 4 impressions
  // user 3: scores 0.5 0.5 labels 1 0 -> AUC 0.5 (tie), 2 impressions
  // user 9: only clicks -> skipped
  const std::vector<double> scores = {0.1, 0.5, 0.4, 0.9, 0.6, 0.5, 0.8, 0.2};
  const std::vector<double> labels = {0, 1, 1, 1, 0, 0, 1, 1};
  const std::vector<std::int64_t> users = {7, 3, 7, 9, 7, 3, 7, 9};
  EXPECT_DOUBLE_EQ(gauc(scores, labels, users), (4 * 0.75 + 2 * 0.5) / 6.0);
}

TEST(Gauc, NoUserWithBothClassesIsUndefined) {
  EXPECT_TRUE(std::isnan(gauc({0.1, 0.2}, {1, 0}, {1, 2})));  // one impression per user
  EXPECT_THROW(gauc({0.1, 0.2}, {1, 0}, {1}), std::invalid_argument);
}
