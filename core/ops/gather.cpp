// Embedding lookup. A row-copy loop: xt::keep / views are much slower for this (docs/xtensor.md).
#include <algorithm>

#include "core/ops.h"
#include "core/parallel.h"
#include "core/profile.h"
#include "core/tensor_impl.h"

namespace recgrad {

// y[p, :] = table[indices[p], :]:  table [N, D], indices [*index_shape] -> y [*index_shape, D]
// d table[indices[p], :] += dy[p, :], except for rows equal to padding_idx. As in PyTorch, the
// forward still reads the padding row (nn.Embedding keeps it at zero by never updating it).
Tensor gather_rows(const Tensor& table, const std::vector<std::int64_t>& indices, const Shape& index_shape,
                   std::int64_t padding_idx) {
  ProfileScope scope("gather_rows");
  const Shape& ts = table.shape();
  if (ts.size() != 2) throw std::invalid_argument("gather_rows: table must be 2-D [N, D], got " + to_string(ts));
  if (indices.size() != numel(index_shape))
    throw std::invalid_argument("gather_rows: " + std::to_string(indices.size()) + " indices for index shape " +
                                to_string(index_shape));
  const auto rows = static_cast<std::int64_t>(ts[0]);
  const std::size_t width = ts[1];
  if (padding_idx < -1 || padding_idx >= rows)
    throw std::invalid_argument("gather_rows: padding_idx " + std::to_string(padding_idx) +
                                " is out of range for a table of " + std::to_string(rows) + " rows");
  for (std::size_t p = 0; p < indices.size(); ++p)
    if (indices[p] < 0 || indices[p] >= rows)
      throw std::out_of_range("gather_rows: index " + std::to_string(indices[p]) + " (at position " +
                              std::to_string(p) + ") is out of range for a table of " + std::to_string(rows) + " rows");
  Shape out_shape = index_shape;
  out_shape.push_back(width);
  return dispatch(common_dtype({table}, "gather_rows"), [&](auto zero) {
    using T = decltype(zero);
    const T* src = values_of<T>(table, "gather_rows").data();
    Array<T> y = Array<T>::from_shape(out_shape);
#pragma omp parallel for schedule(static) num_threads(threads_for(indices.size() * width))
    for (std::size_t p = 0; p < indices.size(); ++p)
      std::copy_n(src + static_cast<std::size_t>(indices[p]) * width, width, y.data() + p * width);
    return make_result<T>("gather_rows", std::move(y), {table}, [indices, padding_idx](const Backward<T>& ctx) {
      // dy is [P, D] row-major, so row p of dy is the gradient of table row indices[p].
      ctx.accumulate_rows(0, indices, ctx.grad_output().data(), padding_idx);
    });
  });
}

}  // namespace recgrad
