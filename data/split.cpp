#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <unordered_map>

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

DataSplit split_last_per_user(const RawDataset& data, double fraction) {
  if (!(fraction > 0.0 && fraction < 1.0))
    throw std::invalid_argument("split_last_per_user: fraction must be in (0, 1), got " + std::to_string(fraction));
  auto held_out = [fraction](std::size_t n) { return static_cast<std::size_t>(std::llround(fraction * double(n))); };
  std::vector<bool> to_test(data.size(), false);
  if (!data.has_users) {
    std::fill(to_test.end() - static_cast<std::ptrdiff_t>(held_out(data.size())), to_test.end(), true);
  } else {
    std::unordered_map<std::string, std::vector<std::size_t>> rows_of;  // user -> rows, file order
    for (std::size_t row = 0; row < data.size(); ++row) rows_of[data.users[row]].push_back(row);
    for (const auto& [user, rows] : rows_of)
      for (std::size_t k = rows.size() - held_out(rows.size()); k < rows.size(); ++k) to_test[rows[k]] = true;
  }
  std::vector<std::size_t> train, test;
  for (std::size_t row = 0; row < data.size(); ++row) (to_test[row] ? test : train).push_back(row);
  return {select_rows(data, train), select_rows(data, test)};
}

}  // namespace recgrad
