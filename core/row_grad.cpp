// Row-sparse gradients of embedding tables (why: core/row_grad.h).
#include "core/row_grad.h"

#include <algorithm>
#include <numeric>

#include <xtensor/xbuilder.hpp>

#include "core/parallel.h"
#include "core/storage_pool.h"
#include "core/tensor_impl.h"

namespace recgrad {

// What std::sort of (row, position) pairs gives, in O(n) a pass instead of O(n log n). Rows already
// in order (DIN's query rows) are left as they are. Else a least significant digit radix sort: each
// pass a counting sort on 11 bits of the row, as many passes as rows in [0, table_rows) need (1 for a
// thousand rows, 2 for a million). A counting sort is stable, so each row's positions stay in order.
PooledVector<std::size_t> positions_by_row(const std::vector<std::int64_t>& rows, std::int64_t skip_row,
                                           std::size_t table_rows) {
  constexpr int kBits = 11;
  PooledVector<std::size_t> order;
  order.reserve(rows.size());
  for (std::size_t p = 0; p < rows.size(); ++p)
    if (rows[p] != skip_row) order.push_back(p);
  if (std::is_sorted(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return rows[x] < rows[y]; }))
    return order;
  PooledVector<std::size_t> sorted(order.size());
  for (int shift = 0; table_rows > (std::size_t(1) << shift); shift += kBits) {
    auto digit = [&](std::size_t p) { return (std::size_t(rows[p]) >> shift) & ((std::size_t(1) << kBits) - 1); };
    PooledVector<std::size_t> start((std::size_t(1) << kBits) + 1, 0);  // where each digit's positions begin
    for (std::size_t p : order) ++start[digit(p) + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    for (std::size_t p : order) sorted[start[digit(p)]++] = p;
    order.swap(sorted);
  }
  return order;
}

template <class T>
void unpack_grad_rows(const TensorImpl& t, T* dense) {
  const std::size_t width = t.shape[1];
  const T* packed = std::get<Array<T>>(*t.grad).data();
  for (std::size_t i = 0; i < t.grad_rows->size(); ++i)
    std::copy_n(packed + i * width, width, dense + static_cast<std::size_t>((*t.grad_rows)[i]) * width);
}

template <class T>
void densify_grad(TensorImpl& t) {
  if (!t.grad_rows) return;
  Array<T> dense = xt::zeros<T>(t.shape);
  unpack_grad_rows<T>(t, dense.data());
  t.grad = std::move(dense);
  t.grad_rows.reset();
}

template <class T>
void accumulate_grad_rows(TensorImpl& t, const std::vector<std::int64_t>& rows, const T* rows_grad,
                          std::int64_t skip_row, const char* op) {
  if (t.shape.size() != 2) throw std::invalid_argument(std::string(op) + " backward: row gradient needs a 2-D input");
  const std::size_t width = t.shape[1];
  auto add_row = [width](T* dst, const T* src) {
    for (std::size_t j = 0; j < width; ++j) dst[j] += src[j];
  };
  if (t.grad_fn && !t.grad) t.grad = Array<T>(xt::zeros<T>(t.shape));
  if (t.grad && !t.grad_rows) {  // serial: repeated rows would race (the row-sparse path below is parallel)
    T* dst = t.gradient<T>().data();
    for (std::size_t p = 0; p < rows.size(); ++p)
      if (rows[p] != skip_row) add_row(dst + static_cast<std::size_t>(rows[p]) * width, rows_grad + p * width);
    return;
  }
  // Row-sparse. Repeated rows sum in position order, the order a dense scatter would use, so that the
  // result is the dense one bit for bit, whatever the thread count: positions sorted by (row, position);
  // then the packed grad of the union of the old rows and these.
  const PooledVector<std::size_t> order = positions_by_row(rows, skip_row, t.shape[0]);
  std::vector<std::int64_t> old_rows;
  if (t.grad_rows) old_rows = std::move(*t.grad_rows);
  // Each slot of the union records its old packed row (or none) and where its positions start in
  // `order`, so the slots fill independently (in parallel, each summing its positions in order).
  constexpr std::size_t kNone = std::size_t(-1);
  std::vector<std::int64_t> merged;
  PooledVector<std::size_t> old_at, order_at;  // per slot; order_at has one more entry, the end
  // The union's rows are unique and below shape[0]: at most that many slots.
  const std::size_t slots = std::min(old_rows.size() + order.size(), t.shape[0]);
  merged.reserve(slots);
  old_at.reserve(slots);
  order_at.reserve(slots + 1);
  std::size_t o = 0, k = 0;
  while (o < old_rows.size() || k < order.size()) {
    const std::int64_t row = k == order.size() || (o < old_rows.size() && old_rows[o] < rows[order[k]])
                                 ? old_rows[o]
                                 : rows[order[k]];
    merged.push_back(row);
    old_at.push_back(o < old_rows.size() && old_rows[o] == row ? o++ : kNone);
    order_at.push_back(k);
    while (k < order.size() && rows[order[k]] == row) ++k;
  }
  order_at.push_back(k);
  Array<T> packed = Array<T>::from_shape({merged.size(), width});
  const T* old = t.grad ? t.gradient<T>().data() : nullptr;
#pragma omp parallel for schedule(static) num_threads(threads_for((merged.size() + order.size()) * width))
  for (std::size_t slot = 0; slot < merged.size(); ++slot) {
    T* dst = packed.data() + slot * width;
    if (old_at[slot] != kNone)
      std::copy_n(old + old_at[slot] * width, width, dst);
    else
      std::fill_n(dst, width, T(0));
    for (std::size_t q = order_at[slot]; q < order_at[slot + 1]; ++q) add_row(dst, rows_grad + order[q] * width);
  }
  t.grad = std::move(packed);
  t.grad_rows = std::move(merged);
}

template void accumulate_grad_rows<float>(TensorImpl&, const std::vector<std::int64_t>&, const float*,
                                          std::int64_t, const char*);
template void accumulate_grad_rows<double>(TensorImpl&, const std::vector<std::int64_t>&, const double*,
                                           std::int64_t, const char*);
template void unpack_grad_rows<float>(const TensorImpl&, float*);
template void unpack_grad_rows<double>(const TensorImpl&, double*);
template void densify_grad<float>(TensorImpl&);
template void densify_grad<double>(TensorImpl&);

}  // namespace recgrad
