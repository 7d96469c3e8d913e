#include "train/memory_estimate.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/core.h>

namespace recgrad {

namespace {
constexpr std::uint64_t kFloat = 4;

std::string gigabytes(std::uint64_t bytes) { return fmt::format("{:.1f} GB", double(bytes) / 1e9); }
}  // namespace

MemoryEstimate estimate_memory(const RunConfig& config, const FeatureSizes& sizes) {
  const ClickModelOptions& m = config.model;
  const std::uint64_t E = m.embedding_dim, fields = 1 + sizes.side.size();
  const std::uint64_t D = m.combine == FieldCombine::Concat ? fields * E : E;
  std::uint64_t rows = sizes.items + sizes.users;
  for (std::size_t n : sizes.side) rows += n;
  MemoryEstimate e;
  const std::uint64_t position_rows =
      m.position == PositionKind::Learned ? sizes.max_len : m.position == PositionKind::TimeGap ? kTimeGapBuckets : 0;
  e.embeddings = (rows * E + position_rows * D) * kFloat;

  std::uint64_t other = 4 * D * D;  // the attention's projections (multi-head's Q, K, V, output)
  std::uint64_t width = (m.user_embedding ? E : 0) + 3 * D, unit = 4 * D;
  for (std::size_t h : m.tower.hidden) other += width * h + h, width = h;
  for (std::size_t h : m.attention.din_hidden) other += unit * h + h, unit = h;
  if (m.self_attention.enabled) other += m.self_attention.layers * (4 * D * D + 2 * D * m.self_attention.ffn_dim);
  e.other_parameters = other * kFloat;

  const std::uint64_t moments = config.optim.name == "sgd" ? (config.optim.momentum > 0 ? 1 : 0) : 2;
  e.optimizer = moments * (e.embeddings + e.other_parameters);

  const std::uint64_t B = config.training.batch_size, T = sizes.max_len;
  std::uint64_t per_element = 24 * D;
  if (m.attention.kind == AttentionKind::Din && !m.attention.din_hidden.empty()) per_element += 6 * m.attention.din_hidden[0];
  std::uint64_t tower = 0;
  for (std::size_t h : m.tower.hidden) tower += 6 * h;
  e.step = (B * T * per_element + B * tower) * kFloat;
  return e;
}

std::uint64_t available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line))
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream fields(line.substr(13));
      std::uint64_t kilobytes = 0;
      fields >> kilobytes;
      return kilobytes * 1024;
    }
  return 0;
}

void check_memory(const RunConfig& config, const FeatureSizes& sizes, std::uint64_t available) {
  const MemoryEstimate e = estimate_memory(config, sizes);
  if (available == 0 || e.total() <= available) return;
  std::uint64_t rows = sizes.items + sizes.users;
  for (std::size_t n : sizes.side) rows += n;
  throw std::invalid_argument(fmt::format(
      "config: this run needs about {} but the machine has {} available: embedding tables {} ({} item, "
      "side-info and user rows x model.embedding_dim {}), attention and tower weights {} (model.embedding_dim, "
      "model.tower.hidden), optimizer state {} (optim.name), one step's activations {} (training.batch_size {} x "
      "features.max_len {}); lower model.embedding_dim, training.batch_size or features.max_len, or raise "
      "features.min_count",
      gigabytes(e.total()), gigabytes(available), gigabytes(e.embeddings), rows, config.model.embedding_dim,
      gigabytes(e.other_parameters), gigabytes(e.optimizer), gigabytes(e.step), config.training.batch_size,
      sizes.max_len));
}

}  // namespace recgrad
