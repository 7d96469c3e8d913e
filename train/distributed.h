#pragma once
// Data-parallel training over MPI, in the words of torch.distributed: N processes (ranks), started by
// Open MPI's `mpirun -np N recgrad train CONFIG`, hold the same model and draw the same global batches.
// Each runs forward and backward on its shard of every batch (Batcher's shard options); then
// all_reduce_gradients sums the gradients across ranks, so every rank takes the same optimizer step
// and the model stays identical everywhere. Rank 0 alone evaluates and writes the run directory.
//
// One process started without mpirun never calls MPI: world_size() is 1 and every function here is a
// no-op or the identity, so the single-process path stays exactly what it was.
#include <cstddef>

#include "core/tensor.h"

namespace recgrad::distributed {

// Joins the processes mpirun started (MPI_Init) and leaves them (MPI_Finalize) at destruction; when
// the process was not started by mpirun, does nothing. One per program, in main.
class Session {
 public:
  Session(int* argc, char*** argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

int rank();        // 0 .. world_size() - 1
int world_size();  // 1 without mpirun

// Ends every rank at once with `code` (MPI_Abort): a rank that failed must not leave the others
// waiting forever in a collective. Returns only when world_size() is 1.
void abort_all(int code);

// After backward on this rank's shard of `local_batch` samples, whose mean loss was `local_loss`:
// replaces every parameter's gradient by the mean gradient of the global batch (the sum over ranks of
// each shard's gradient weighted by its share of the samples) and returns the global batch's mean loss.
// A row-sparse gradient (Tensor::grad_rows) stays row-sparse, on the union of the rows the ranks
// touched, so lazy Adam updates the rows the global batch touched, as one process would. A rank with
// an empty shard takes part with zero gradients. One all-gather of row counts, one of rows, one sum.
double all_reduce_gradients(const NamedTensors& params, double local_loss, std::size_t local_batch);

bool any(bool flag);                        // true on every rank when it is true on some rank
double broadcast(double value, int root);   // root's value, on every rank
void check_same(double value, const char* what);  // throws on every rank unless all ranks hold `value`
void barrier();

}  // namespace recgrad::distributed
