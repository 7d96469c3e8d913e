#include "layers/position_embedding.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/ops.h"
#include "layers/enum_names.h"
#include "layers/init.h"

namespace recgrad {

const std::vector<std::string>& position_kind_names() {
  static const std::vector<std::string> names{"none", "learned", "sinusoidal", "time_gap"};
  return names;
}

PositionKind parse_position_kind(const std::string& name) {
  return enum_of_name<PositionKind>(position_kind_names(), name, "position kind");
}

const std::string& position_kind_name(PositionKind kind) { return position_kind_names().at(std::size_t(kind)); }

std::size_t time_gap_bucket(std::int64_t gap_seconds) {
  if (gap_seconds < 0)
    throw std::invalid_argument("time_gap_bucket: negative gap " + std::to_string(gap_seconds) +
                                " s (a behaviour after its impression)");
  std::size_t bits = 0;  // 1 + floor(log2(gap)) for gap >= 1: the bit width of the gap
  for (auto gap = static_cast<std::uint64_t>(gap_seconds); gap != 0; gap >>= 1) ++bits;
  return std::min(bits, kTimeGapBuckets - 1);
}

PositionEmbedding::PositionEmbedding(std::size_t max_len, std::size_t dim, Rng& rng, DType dtype,
                                     PositionEmbeddingOptions options)
    : max_len_(max_len), dim_(dim), options_(options) {
  if (max_len == 0 || dim == 0)
    throw std::invalid_argument("PositionEmbedding: max_len and dim must be positive, got " + std::to_string(max_len) +
                                " and " + std::to_string(dim));
  if (options.kind == PositionKind::None)
    throw std::invalid_argument("PositionEmbedding: kind none has no positions; leave the layer out instead");
  if (options.kind == PositionKind::Learned)
    weight = register_parameter("weight", init::embedding_table(max_len, dim, options.init, rng, dtype));
  if (options.kind == PositionKind::TimeGap)
    weight = register_parameter("weight", init::embedding_table(kTimeGapBuckets, dim, options.init, rng, dtype));
}

std::size_t PositionEmbedding::output_dim(std::size_t input_dim) const {
  return options_.combine == PositionCombine::Add ? input_dim : input_dim + dim_;
}

Tensor PositionEmbedding::positions(std::size_t batch, std::size_t length, const std::vector<std::int64_t>& time_gaps,
                                     DType dtype) const {
  const bool by_time = options_.kind == PositionKind::TimeGap;
  if (by_time && time_gaps.size() != batch * length)
    throw std::invalid_argument("PositionEmbedding: time_gap got " + std::to_string(time_gaps.size()) +
                                " time gaps for a [" + std::to_string(batch) + ", " + std::to_string(length) +
                                "] history; it needs one per slot (features.timestamp and features.history_timestamps)");
  if (options_.kind == PositionKind::Learned || by_time) {
    // Row t (or the bucket of its gap) for every (b, t): the gather scatters each gradient back to its row.
    std::vector<std::int64_t> rows(batch * length);
    for (std::size_t i = 0; i < rows.size(); ++i)
      rows[i] = static_cast<std::int64_t>(by_time ? time_gap_bucket(time_gaps[i]) : i % length);
    return gather_rows(weight, rows, {batch, length});
  }
  std::vector<double> values(batch * length * dim_);
  for (std::size_t t = 0; t < length; ++t)
    for (std::size_t j = 0; j < dim_; ++j) {
      const double angle = static_cast<double>(t) / std::pow(10000.0, static_cast<double>(j - j % 2) / dim_);
      const double value = j % 2 == 0 ? std::sin(angle) : std::cos(angle);
      for (std::size_t b = 0; b < batch; ++b) values[(b * length + t) * dim_ + j] = value;
    }
  return Tensor::from_vector({batch, length, dim_}, values, dtype);
}

Tensor PositionEmbedding::forward(const Tensor& history, const std::vector<std::int64_t>& time_gaps) const {
  const bool add = options_.combine == PositionCombine::Add;
  if (history.dim() != 3 || history.size(1) > max_len_ || (add && history.size(2) != dim_))
    throw std::invalid_argument("PositionEmbedding: history of shape " + to_string(history.shape()) + " is not [B, T" +
                                (add ? ", " + std::to_string(dim_) : std::string(", D")) + "] with T <= max_len " +
                                std::to_string(max_len_));
  // Added positions that are the same for every sample are made once, [1, T, dim], and broadcast over
  // the batch: the gradient sums over the batch in the add, not over B T gathered rows.
  const bool per_sample = !add || options_.kind == PositionKind::TimeGap;
  const Tensor p = positions(per_sample ? history.size(0) : 1, history.size(1), time_gaps, history.dtype());
  return add ? history + p : concat({history, p}, -1);
}

}  // namespace recgrad
