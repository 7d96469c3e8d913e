// PositionEmbedding: learned and sinusoidal, add and concat; position 0 is the most recent behaviour.
#include <cmath>

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
