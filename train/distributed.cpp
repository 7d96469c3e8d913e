#include "train/distributed.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <mpi.h>

#include "core/profile.h"

namespace recgrad::distributed {

namespace {
bool g_joined = false;  // MPI_Init was called: this process runs under mpirun
int g_rank = 0, g_size = 1;

// Open MPI's mpirun (and the PMIx launchers it uses) tell their children so in the environment; a
// process without them runs alone and never initialises MPI.
bool started_by_mpirun() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw std::runtime_error(fmt::format("distributed: {} failed (MPI error {})", call, code));
}

template <class T>
MPI_Datatype mpi_type() {
  return std::is_same_v<T, float> ? MPI_FLOAT : MPI_DOUBLE;
}

// What each parameter's gradient is on this rank, as bits ORed across ranks.
enum GradKind : int { kNone = 0, kDense = 1, kRows = 2 };

int grad_kind(const Tensor& p) {
  if (!p.has_grad()) return kNone;
  return p.grad_rows() ? kRows : kDense;
}

// The sorted union of the rows every rank touched.
std::vector<std::int64_t> union_of(std::vector<std::int64_t> rows) {
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

template <class T>
double reduce(const NamedTensors& params, double local_loss, std::size_t local_batch) {
  const std::size_t n = params.size(), ranks = std::size_t(g_size);
  std::vector<int> kinds(n);
  for (std::size_t i = 0; i < n; ++i) kinds[i] = grad_kind(params[i].second);
  check(MPI_Allreduce(MPI_IN_PLACE, kinds.data(), int(n), MPI_INT, MPI_BOR, MPI_COMM_WORLD), "MPI_Allreduce");

  // Row-sparse everywhere: gather every rank's rows. Row-sparse here, dense elsewhere: dense here too.
  std::vector<std::size_t> sparse;  // parameter indices
  std::vector<std::int64_t> my_counts, my_rows;
  for (std::size_t i = 0; i < n; ++i) {
    if (kinds[i] != kRows) continue;
    sparse.push_back(i);
    const std::vector<std::int64_t>* rows = params[i].second.grad_rows();
    my_counts.push_back(rows ? std::int64_t(rows->size()) : 0);
    if (rows) my_rows.insert(my_rows.end(), rows->begin(), rows->end());
  }
  const std::size_t s = sparse.size();
  std::vector<std::int64_t> counts(s * ranks);  // [rank][sparse parameter]
  check(MPI_Allgather(my_counts.data(), int(s), MPI_INT64_T, counts.data(), int(s), MPI_INT64_T, MPI_COMM_WORLD),
        "MPI_Allgather");
  std::vector<int> rank_counts(ranks), displacements(ranks);
  std::int64_t total = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    std::int64_t c = 0;
    for (std::size_t j = 0; j < s; ++j) c += counts[r * s + j];
    rank_counts[r] = int(c);
    displacements[r] = int(total);
    total += c;
  }
  std::vector<std::int64_t> all_rows(static_cast<std::size_t>(total));
  check(MPI_Allgatherv(my_rows.data(), int(my_rows.size()), MPI_INT64_T, all_rows.data(), rank_counts.data(),
                       displacements.data(), MPI_INT64_T, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  std::vector<std::vector<std::int64_t>> union_rows(s);
  for (std::size_t j = 0; j < s; ++j) {
    std::vector<std::int64_t> rows_j;
    for (std::size_t r = 0; r < ranks; ++r) {
      std::size_t at = std::size_t(displacements[r]);
      for (std::size_t k = 0; k < j; ++k) at += std::size_t(counts[r * s + k]);
      rows_j.insert(rows_j.end(), all_rows.begin() + std::ptrdiff_t(at),
                    all_rows.begin() + std::ptrdiff_t(at + std::size_t(counts[r * s + j])));
    }
    union_rows[j] = union_of(std::move(rows_j));
  }

  // One buffer: each gradient times this shard's size (the shard's sum, not mean, of per-sample
  // gradients), row-sparse ones on the union of rows; then the loss times the size, then the size.
  std::vector<std::size_t> offsets(n + 1, 0);
  for (std::size_t i = 0, j = 0; i < n; ++i) {
    const Tensor& p = params[i].second;
    const std::size_t size = kinds[i] == kNone ? 0 : kinds[i] == kRows ? union_rows[j++].size() * p.size(1) : p.numel();
    offsets[i + 1] = offsets[i] + size;
  }
  std::vector<T> buffer(offsets[n] + 2, T(0));
  const T weight = T(local_batch);
  for (std::size_t i = 0, j = 0; i < n; ++i) {
    const Tensor& p = params[i].second;
    T* dst = buffer.data() + offsets[i];
    if (kinds[i] == kRows) {
      const std::vector<std::int64_t>& rows = union_rows[j++];
      const std::vector<std::int64_t>* mine = p.grad_rows();
      if (!mine) continue;  // no gradient here yet: zeros
      const std::size_t width = p.size(1);
      const T* g = p.grad_data<T>();
      std::size_t slot = 0;
      for (std::size_t k = 0; k < mine->size(); ++k) {
        while (rows[slot] != (*mine)[k]) ++slot;  // both sorted; every row of mine is in the union
        for (std::size_t c = 0; c < width; ++c) dst[slot * width + c] = weight * g[k * width + c];
      }
    } else if (kinds[i] != kNone && p.has_grad()) {
      const Tensor g = p.grad_rows() ? p.grad() : Tensor();  // row-sparse here, dense elsewhere: unpack
      const T* src = g.defined() ? g.data<T>() : p.grad_data<T>();
      for (std::size_t e = 0; e < p.numel(); ++e) dst[e] = weight * src[e];
    }
  }
  buffer[offsets[n]] = T(local_loss * double(local_batch));
  buffer[offsets[n] + 1] = weight;
  {
    ProfileScope scope("[all-reduce]");
    check(MPI_Allreduce(MPI_IN_PLACE, buffer.data(), int(buffer.size()), mpi_type<T>(), MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
  const double global_batch = double(buffer[offsets[n] + 1]);
  if (global_batch <= 0) throw std::logic_error("distributed: a global batch of no samples");
  const T scale = T(1.0 / global_batch);
  for (std::size_t i = 0, j = 0; i < n; ++i) {
    if (kinds[i] == kNone) continue;
    Tensor p = params[i].second;
    const std::size_t size = offsets[i + 1] - offsets[i];
    const bool rows = kinds[i] == kRows;
    Tensor grad = Tensor::zeros(rows ? Shape{union_rows[j].size(), p.size(1)} : p.shape(), p.dtype());
    T* values = grad.mutable_data<T>();
    for (std::size_t e = 0; e < size; ++e) values[e] = buffer[offsets[i] + e] * scale;
    if (rows)
      p.set_grad_rows(std::move(union_rows[j++]), grad);
    else
      p.set_grad(grad);
  }
  return double(buffer[offsets[n]]) / global_batch;
}
}  // namespace

Session::Session(int* argc, char*** argv) {
  if (!started_by_mpirun()) return;
  check(MPI_Init(argc, argv), "MPI_Init");
  g_joined = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
}

Session::~Session() {
  if (g_joined) MPI_Finalize();
}

int rank() { return g_rank; }
int world_size() { return g_size; }

void abort_all(int code) {
  if (g_size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

double all_reduce_gradients(const NamedTensors& params, double local_loss, std::size_t local_batch) {
  if (g_size == 1) return local_loss;
  if (params.empty()) throw std::invalid_argument("all_reduce_gradients: no parameters");
  const DType dtype = params.front().second.dtype();
  for (const auto& [name, p] : params)
    if (p.dtype() != dtype) throw std::invalid_argument("all_reduce_gradients: " + name + " is not " + dtype_name(dtype));
  return dtype == DType::Float32 ? reduce<float>(params, local_loss, local_batch)
                                 : reduce<double>(params, local_loss, local_batch);
}

bool any(bool flag) {
  if (g_size == 1) return flag;
  int value = flag ? 1 : 0;
  check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
  return value != 0;
}

double broadcast(double value, int root) {
  if (g_size > 1) check(MPI_Bcast(&value, 1, MPI_DOUBLE, root, MPI_COMM_WORLD), "MPI_Bcast");
  return value;
}

void check_same(double value, const char* what) {
  if (g_size == 1) return;
  double low = value, high = value;
  check(MPI_Allreduce(MPI_IN_PLACE, &low, 1, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  check(MPI_Allreduce(MPI_IN_PLACE, &high, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
  if (!(low == high))
    throw std::runtime_error(fmt::format("distributed: the {} ranks disagree on {} ({} to {}): give every rank the "
                                         "same config and data files",
                                         g_size, what, low, high));
}

void barrier() {
  if (g_size > 1) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

}  // namespace recgrad::distributed
