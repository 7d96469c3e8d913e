#pragma once
// Row-sparse gradients: an optimisation for embedding tables, not part of the engine's normal path.
//
// Why: a batch looks up a few thousand rows of a table that may hold a million. The dense gradient,
// [N, D], would cost the whole table's memory and an optimizer pass over every row, almost all zero.
// Instead, while only gather_rows has fed a 2-D leaf, its gradient is stored packed: TensorImpl::grad
// [R, D] holds the gradients of the R rows listed, sorted and unique, in TensorImpl::grad_rows; every
// other row's gradient is zero. Lazy Adam (optim/adam.h) and clipping (optim/gradients.h) then touch
// only those rows. The reference is the dense gradient every other op produces: the first dense
// contribution unpacks the rows (densify_grad), and Tensor::grad() always returns the dense form.
// Tests: tests/core/test_gather.cpp, tests/core/test_row_grad.cpp, tests/optim/test_sparse_grads.cpp,
// tests/optim/test_lazy_adam.cpp; docs/speed-code.md.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/storage_pool.h"

namespace recgrad {

struct TensorImpl;

// Adds `rows_grad` [n, D] into rows `rows` of the grad of a 2-D tensor `t` (repeated rows sum), leaving
// out rows equal to `skip_row`. A row-sparse or absent grad of a leaf stays row-sparse; a dense grad,
// or a non-leaf's (whose own backward reads a dense grad_output), stays or becomes dense.
template <class T>
void accumulate_grad_rows(TensorImpl& t, const std::vector<std::int64_t>& rows, const T* rows_grad,
                          std::int64_t skip_row, const char* op);

// The positions p of `rows` with rows[p] != skip_row, ordered by row and, within a row, by position
// (a stable sort by row); rows lie in [0, table_rows). Scatters that must sum each row's positions
// in position order, on any number of threads, walk this order (row_grad.cpp, din_pair_linear.cpp).
PooledVector<std::size_t> positions_by_row(const std::vector<std::int64_t>& rows, std::int64_t skip_row,
                                           std::size_t table_rows);

// Writes t's row-sparse grad into `dense`, a zero-filled buffer of t's shape.
template <class T>
void unpack_grad_rows(const TensorImpl& t, T* dense);

// Turns a row-sparse grad of t into the dense layout, before a dense contribution is added to it.
// Does nothing to a dense grad.
template <class T>
void densify_grad(TensorImpl& t);

}  // namespace recgrad
