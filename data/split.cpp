#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/random.h"
#include "data/shuffle.h"

namespace recgrad {

DataSplit random_split(const RawDataset& data, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction > 0.0 && test_fraction < 1.0))
    throw std::invalid_argument("random_split: test_fraction must be in (0, 1), got " + std::to_string(test_fraction));
  Rng rng(seed);
  std::vector<std::size_t> rows = shuffled_rows(data.size(), rng);
  const auto test_size = static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(data.size())));
  std::vector<std::size_t> test(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(test_size));
  std::vector<std::size_t> train(rows.begin() + static_cast<std::ptrdiff_t>(test_size), rows.end());
  std::sort(test.begin(), test.end());
  std::sort(train.begin(), train.end());
  return {select_rows(data, train), select_rows(data, test)};
}

}  // namespace recgrad
