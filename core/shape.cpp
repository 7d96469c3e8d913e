#include "core/shape.h"

#include <algorithm>
#include <stdexcept>

namespace recgrad {

std::string to_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::size_t numel(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const std::size_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const std::size_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + to_string(a) + " and " + to_string(b) +
                                  " cannot broadcast");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::size_t repeated_block(const Shape& part, const Shape& whole) {
  std::size_t lead = 0;
  while (lead < part.size() && part[lead] == 1) ++lead;
  const std::size_t kept = part.size() - lead;
  if (kept > whole.size() || !std::equal(part.begin() + std::ptrdiff_t(lead), part.end(), whole.end() - std::ptrdiff_t(kept)))
    return 0;
  return numel(part);
}

std::size_t normalize_axis(int axis, std::size_t rank, const char* op) {
  const int r = static_cast<int>(rank);
  if (axis < -r || axis >= r)
    throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for rank " +
                                std::to_string(rank));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

AxisLines axis_lines(const Shape& shape, std::size_t axis) {
  AxisLines lines{1, shape[axis], 1};
  for (std::size_t i = 0; i < axis; ++i) lines.outer *= shape[i];
  for (std::size_t i = axis + 1; i < shape.size(); ++i) lines.inner *= shape[i];
  return lines;
}

}  // namespace recgrad
