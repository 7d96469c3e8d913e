#pragma once
// Shapes, NumPy broadcasting, and the axis helpers every op shares.
#include <cstddef>
#include <string>
#include <vector>

namespace recgrad {

using Shape = std::vector<std::size_t>;

std::string to_string(const Shape& shape);  // "[2, 3, 4]"
std::size_t numel(const Shape& shape);

// NumPy broadcasting: align from the right; each pair of sizes must match or one must be 1.
// Throws std::invalid_argument naming both shapes and `op` when they cannot broadcast.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// When `part`, broadcast to `whole`, is one block repeated along whole's leading axes (its shape,
// leading 1s dropped, is whole's trailing sizes: [T, D] or [1, T, D] in [B, T, D]): the block's
// size, numel(part). Else 0. Binary ops and gradient reduction take a row loop for this case.
std::size_t repeated_block(const Shape& part, const Shape& whole);

// Maps a possibly negative axis (-1 = last) into [0, rank); throws naming `op` when out of range.
std::size_t normalize_axis(int axis, std::size_t rank, const char* op);

// A tensor seen as [outer, n, inner] around one axis of size n: element (o, j, i) sits at
// (o * n + j) * inner + i. Ops that work along one axis (max, softmax, slice, concat) walk these lines.
struct AxisLines {
  std::size_t outer, n, inner;
};
AxisLines axis_lines(const Shape& shape, std::size_t axis);

}  // namespace recgrad
