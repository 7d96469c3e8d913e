#pragma once
// A seeded train/test split by impression, for data that comes as one set (the synthetic generator,
// a single TSV). MovieLens has its own time-ordered split (data/movielens.h).
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

}  // namespace recgrad
