#pragma once
// Holding out part of a dataset: a seeded random split by impression (the synthetic generator's
// train/test and train/validation), and a split that respects time for logs (validation carved from
// a TSV's training split). The MovieLens and events importers split by time per user themselves.
#include <cstdint>

#include "data/dataset.h"

namespace recgrad {

struct DataSplit {
  RawDataset train;
  RawDataset test;
};

// round(test_fraction * N) rows drawn at random go to test, the rest to train; both keep the
// original row order. test_fraction in (0, 1).
DataSplit random_split(const RawDataset& data, double test_fraction, std::uint64_t seed);

// The last round(fraction * n_u) impressions of each user u (n_u of them, in file order) go to `test`
// (here: validation), the rest to `train`; without a user column, the last round(fraction * N) rows of
// the file. A log is in time order, so validation is each user's most recent training behaviour, as the
// test split is after it. round() halves away from zero (Python: floor(fraction * n + 0.5)). fraction in (0, 1).
DataSplit split_last_per_user(const RawDataset& data, double fraction);

}  // namespace recgrad
