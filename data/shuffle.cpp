#include "data/shuffle.h"

#include <numeric>
#include <utility>

namespace recgrad {

std::vector<std::size_t> shuffled_rows(std::size_t n, Rng& rng) {
  std::vector<std::size_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) std::swap(rows[i - 1], rows[rng.below(i)]);
  return rows;
}

}  // namespace recgrad
