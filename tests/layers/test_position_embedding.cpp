// PositionEmbedding: learned, sinusoidal and time_gap, add and concat; position 0 is the most recent
// behaviour; time_gap_bucket's log-scale boundaries.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/ops.h"
#include "layers/position_embedding.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
PositionEmbeddingOptions options(PositionKind kind, PositionCombine combine) {
  PositionEmbeddingOptions o;
  o.kind = kind;
  o.combine = combine;
  return o;
}
}  // namespace

TEST(PositionEmbedding, GradcheckLearnedAdd) {
  Rng rng(1);
  PositionEmbedding positions(5, 3, rng, DType::Float64);
  const auto f = [&](const std::vector<Tensor>& in) { return positions.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({2, 4, 3}, rng)}, positions));
}

TEST(PositionEmbedding, GradcheckLearnedConcat) {
  Rng rng(2);
  PositionEmbedding positions(4, 2, rng, DType::Float64, options(PositionKind::Learned, PositionCombine::Concat));
  const auto f = [&](const std::vector<Tensor>& in) { return positions.forward(in[0]); };
  EXPECT_GRADCHECK(f, with_parameters({random_input({2, 3, 3}, rng)}, positions));
  EXPECT_EQ(positions.forward(Tensor::zeros({2, 3, 3}, DType::Float64)).shape(), (Shape{2, 3, 5}));
  EXPECT_EQ(positions.output_dim(3), 5u);
}

TEST(PositionEmbedding, GradcheckSinusoidalConcat) {
  Rng rng(3);
  PositionEmbedding positions(8, 4, rng, DType::Float64, options(PositionKind::Sinusoidal, PositionCombine::Concat));
  EXPECT_EQ(positions.parameter_count(), 0u);
  const auto f = [&](const std::vector<Tensor>& in) { return positions.forward(in[0]); };
  EXPECT_GRADCHECK(f, {random_input({2, 3, 2}, rng)});
}

TEST(PositionEmbedding, MostRecentBehaviourIsPositionZeroWhateverTheLength) {
  Rng rng(4);
  PositionEmbedding positions(6, 3, rng, DType::Float64);
  const Tensor short_history = positions.forward(Tensor::zeros({1, 2, 3}, DType::Float64));
  const Tensor long_history = positions.forward(Tensor::zeros({1, 5, 3}, DType::Float64));
  // t = 0 (the latest click) gets row 0 of the table in both.
  EXPECT_TRUE(AllClose(slice(short_history, 1, 0, 1), reshape(slice(positions.weight, 0, 0, 1), {1, 1, 3}), 0));
  EXPECT_TRUE(AllClose(slice(long_history, 1, 0, 2), slice(short_history, 1, 0, 2), 0));
}

TEST(PositionEmbedding, LearnedGradientGoesToEachPositionsRow) {
  Rng rng(5);
  PositionEmbedding positions(4, 2, rng, DType::Float64);
  sum(positions.forward(Tensor::zeros({3, 2, 2}, DType::Float64))).backward();
  const Tensor g = positions.weight.grad();
  EXPECT_EQ(g.at({0, 0}), 3.0);  // summed over the batch of 3
  EXPECT_EQ(g.at({1, 1}), 3.0);
  EXPECT_EQ(g.at({2, 0}), 0.0);  // beyond this history's length
}

TEST(PositionEmbedding, SinusoidalFirstPositionIsSinZeroCosZero) {
  Rng rng(6);
  PositionEmbedding positions(4, 4, rng, DType::Float64, options(PositionKind::Sinusoidal, PositionCombine::Add));
  const Tensor p = positions.forward(Tensor::zeros({1, 2, 4}, DType::Float64));
  EXPECT_EQ(slice(p, 1, 0, 1).to_vector(), (std::vector<double>{0, 1, 0, 1}));
  EXPECT_NEAR(p.at({0, 1, 0}), std::sin(1.0), 1e-15);              // frequency 1 for i = 0
  EXPECT_NEAR(p.at({0, 1, 3}), std::cos(1.0 / 100.0), 1e-15);      // 10000^(2/4) = 100
}

TEST(PositionEmbedding, HistoryLongerThanMaxLenThrows) {
  Rng rng(7);
  PositionEmbedding positions(3, 2, rng);
  EXPECT_THROW(positions.forward(Tensor::zeros({1, 4, 2})), std::invalid_argument);
  EXPECT_THROW(positions.forward(Tensor::zeros({1, 2, 3})), std::invalid_argument);  // add needs D == dim
}

TEST(TimeGapBucket, LogTwoBoundariesAndCap) {
  EXPECT_EQ(time_gap_bucket(0), 0u);  // same second as the impression (and padded slots)
  EXPECT_EQ(time_gap_bucket(1), 1u);
  EXPECT_EQ(time_gap_bucket(2), 2u);
  EXPECT_EQ(time_gap_bucket(3), 2u);
  EXPECT_EQ(time_gap_bucket(4), 3u);
  for (std::size_t k = 1; k < 32; ++k) {  // bucket k holds [2^(k-1), 2^k)
    const std::int64_t low = std::int64_t{1} << (k - 1);
    EXPECT_EQ(time_gap_bucket(low), k) << low;
    EXPECT_EQ(time_gap_bucket(2 * low - 1), k) << 2 * low - 1;
  }
  EXPECT_EQ(time_gap_bucket(3600), 12u);  // an hour: 2^11 <= 3600 < 2^12
  EXPECT_EQ(time_gap_bucket(std::int64_t{1} << 31), kTimeGapBuckets - 1);
  EXPECT_EQ(time_gap_bucket(std::numeric_limits<std::int64_t>::max()), kTimeGapBuckets - 1);
  EXPECT_THROW(time_gap_bucket(-1), std::invalid_argument);
}

TEST(PositionEmbedding, GradcheckTimeGapWithPaddingAddAndConcat) {
  Rng rng(8);
  // [2, 3] slots: row 0 has two behaviours (slot 2 padded, gap 0), row 1 three; gaps 0 and 1 share
  // no bucket, 5 and 7 share bucket 3, so one row gathers two gradients.
  const std::vector<std::int64_t> gaps{5, 3600, 0, 7, 1, 100000};
  for (PositionCombine combine : {PositionCombine::Add, PositionCombine::Concat}) {
    PositionEmbedding positions(3, 3, rng, DType::Float64, options(PositionKind::TimeGap, combine));
    EXPECT_EQ(positions.weight.shape(), (Shape{kTimeGapBuckets, 3}));
    const auto f = [&](const std::vector<Tensor>& in) {
      const Tensor out = positions.forward(in[0], gaps);
      const Tensor mask = padding_mask({2, 3}, 3, DType::Float64);  // [B, T], 1 = padded
      return out * reshape(1.0 - mask, {2, 3, 1});                  // what the key padding mask keeps
    };
    EXPECT_GRADCHECK(f, with_parameters({random_input({2, 3, 3}, rng)}, positions));
  }
}

TEST(PositionEmbedding, TimeGapRowIsTheGapsBucket) {
  Rng rng(9);
  PositionEmbedding positions(4, 2, rng, DType::Float64, options(PositionKind::TimeGap, PositionCombine::Add));
  const std::vector<std::int64_t> gaps{3600, 0, 2, 3};  // buckets 12, 0, 2, 2
  const Tensor p = positions.forward(Tensor::zeros({1, 4, 2}, DType::Float64), gaps);
  for (std::size_t t = 0; t < gaps.size(); ++t)
    EXPECT_TRUE(AllClose(reshape(slice(p, 1, t, t + 1), {1, 2}),
                         slice(positions.weight, 0, time_gap_bucket(gaps[t]), time_gap_bucket(gaps[t]) + 1), 0));
  sum(p).backward();
  const Tensor g = positions.weight.grad();
  EXPECT_EQ(g.at({2, 0}), 2.0);   // gaps 2 and 3 share bucket 2
  EXPECT_EQ(g.at({12, 1}), 1.0);
  EXPECT_EQ(g.at({1, 0}), 0.0);   // no gap of 1 s
}

TEST(PositionEmbedding, TimeGapWithoutOneGapPerSlotThrowsNamingTheKeys) {
  Rng rng(10);
  PositionEmbedding positions(4, 2, rng, DType::Float64, options(PositionKind::TimeGap, PositionCombine::Add));
  EXPECT_TRUE(ThrowsNaming([&] { positions.forward(Tensor::zeros({1, 2, 2}, DType::Float64)); },
                           {"0 time gaps", "[1, 2]", "features.timestamp"}));
  EXPECT_THROW(positions.forward(Tensor::zeros({1, 2, 2}, DType::Float64), {1, 2, 3}), std::invalid_argument);
}
