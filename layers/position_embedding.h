#pragma once
// PositionEmbedding: tells attention where in the behaviour history an item sits.
//   history x [B, T, D] -> add:    x + P          [B, T, D]   (needs position dim == D)
//                       -> concat: [x, P]         [B, T, D + position dim]
// where P[b, t] is the vector of position t.
//
// Position 0 is the MOST RECENT behaviour: the batch layout puts the most recent item at t = 0 and
// pads at the end, so position t means "t steps before the latest behaviour" whatever the history's
// length. That is what recency means for interest, and it keeps a user's latest clicks on the same
// vectors as the history grows. Padded positions get a position vector too; the key padding mask
// removes them downstream.
//
// Three kinds:
//   learned    a table "weight" [max_len, dim], drawn by options.init (an embedding without padding row)
//   sinusoidal fixed, no parameters (Vaswani et al., 2017):
//              P[t, 2i] = sin(t / 10000^(2i/dim)),  P[t, 2i+1] = cos(t / 10000^(2i/dim))
//   time_gap   BST (Chen et al., 2019): a table "weight" [kTimeGapBuckets, dim], drawn by options.init;
//              P[b, t] = weight[time_gap_bucket(gap[b, t])], gap = seconds from behaviour to impression.
//              Padded slots carry gap 0 (bucket 0); the key padding mask removes them downstream.
// All accept histories of at most max_len positions.
#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "layers/init.h"
#include "layers/module.h"

namespace recgrad {

// None: no position embedding at all (a model leaves the layer out; the layer refuses it).
enum class PositionKind { None, Learned, Sinusoidal, TimeGap };
const std::vector<std::string>& position_kind_names();      // "none", "learned", "sinusoidal", "time_gap"
PositionKind parse_position_kind(const std::string& name);  // throws naming the valid names
const std::string& position_kind_name(PositionKind kind);
enum class PositionCombine { Add, Concat };

// Log-scale buckets of a time gap in seconds: 0 for gap < 1 s, else 1 + floor(log2(gap)), capped at
// kTimeGapBuckets - 1 = 32 (gaps of 2^31 s, 68 years, and more). Bucket k >= 1 holds [2^(k-1), 2^k):
// 1 s, 2-3 s, ..., 17 (18-36 h), 20 (6-12 days), 25 (194-388 days). A negative gap throws.
constexpr std::size_t kTimeGapBuckets = 33;
std::size_t time_gap_bucket(std::int64_t gap_seconds);

struct PositionEmbeddingOptions {
  PositionKind kind = PositionKind::Learned;
  PositionCombine combine = PositionCombine::Add;
  init::EmbeddingInit init;  // learned table only
};

class PositionEmbedding : public Module {
 public:
  PositionEmbedding(std::size_t max_len, std::size_t dim, Rng& rng, DType dtype = DType::Float32,
                    PositionEmbeddingOptions options = {});
  // time_gaps [B * T] (row-major, as Batch::time_gaps): read by time_gap, which needs them; others ignore them.
  Tensor forward(const Tensor& history, const std::vector<std::int64_t>& time_gaps = {}) const;

  std::size_t output_dim(std::size_t input_dim) const;  // D, or D + dim when concatenating

  Tensor weight;  // learned and time_gap only

 private:
  // P: [batch, T, dim]; batch is 1 where every sample gets the same positions (forward broadcasts it)
  Tensor positions(std::size_t batch, std::size_t length, const std::vector<std::int64_t>& time_gaps,
                   DType dtype) const;

  std::size_t max_len_, dim_;
  PositionEmbeddingOptions options_;
};

}  // namespace recgrad
