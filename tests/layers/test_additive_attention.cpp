// AdditiveAttention (layers/additive_attention.h): Bahdanau's scores, masking, and its gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/additive_attention.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Histories of lengths 3, 1 and 0 (an all-padded row) in one batch of T = 3.
const std::vector<std::size_t> kLengths{3, 1, 0};
constexpr std::size_t kB = 3, kT = 3, kD = 4;

Tensor mask() { return padding_mask(kLengths, kT, DType::Float64); }
}  // namespace

TEST(AdditiveAttention, ScoresAreVTanhOfProjectedQueryPlusProjectedKey) {
  Rng rng(1);
  AdditiveAttention attention(kD, rng, DType::Float64);
  const Tensor query = random_input({1, 1, kD}, rng), keys = random_input({1, 2, kD}, rng);
  const AttentionOutput a = attention.forward(query, keys, keys);
  // The formula by hand: s_t = Σ_h v_h tanh(Σ_d Wq[h, d] q_d + Σ_d Wk[h, d] k_td + b_h), softmax over t.
  const auto Wq = attention.query_proj->weight.to_vector(), Wk = attention.key_proj->weight.to_vector();
  const auto b = attention.key_proj->bias.to_vector(), v = attention.v.to_vector();
  const auto q = query.to_vector(), k = keys.to_vector();
  double s[2];
  for (std::size_t t = 0; t < 2; ++t) {
    s[t] = 0;
    for (std::size_t h = 0; h < kD; ++h) {
      double pre = b[h];
      for (std::size_t d = 0; d < kD; ++d) pre += Wq[h * kD + d] * q[d] + Wk[h * kD + d] * k[t * kD + d];
      s[t] += v[h] * std::tanh(pre);
    }
  }
  const double w0 = 1.0 / (1.0 + std::exp(s[1] - s[0]));
  EXPECT_TRUE(AllClose(a.weights, Tensor::from_vector({1, 1, 2}, {w0, 1 - w0}, DType::Float64), 1e-14));
}

TEST(AdditiveAttention, PaddedKeysGetZeroWeightAndAnEmptyHistoryGivesZeros) {
  Rng rng(2);
  AdditiveAttention attention(kD, rng, DType::Float64);
  const AttentionOutput a = attention.forward(random_input({kB, 1, kD}, rng), random_input({kB, kT, kD}, rng),
                                              random_input({kB, kT, 2}, rng), mask());
  const std::vector<double> w = a.weights.to_vector(), out = a.output.to_vector();  // [B, 1, T], [B, 1, 2]
  EXPECT_NEAR(w[0] + w[1] + w[2], 1.0, 1e-14);
  EXPECT_EQ(w[4], 0.0);
  EXPECT_EQ(w[5], 0.0);
  for (std::size_t t = 0; t < kT; ++t) EXPECT_EQ(w[2 * kT + t], 0.0);
  EXPECT_EQ(out[4], 0.0);
  EXPECT_EQ(out[5], 0.0);
}

TEST(AdditiveAttention, GradcheckWithPaddingAndAnAllPaddedRow) {
  Rng rng(3);
  AdditiveAttention attention(kD, rng, DType::Float64);
  const std::vector<Tensor> inputs = with_parameters(
      {random_input({kB, 2, kD}, rng), random_input({kB, kT, kD}, rng), random_input({kB, kT, 2}, rng)}, attention);
  EXPECT_GRADCHECK(
      [&](const std::vector<Tensor>& in) { return flat(attention.forward(in[0], in[1], in[2], mask())); }, inputs);
}

TEST(AdditiveAttention, ParametersAreNamedForCheckpoints) {
  Rng rng(4);
  const AdditiveAttention attention(kD, rng);
  std::vector<std::string> names;
  for (const auto& [name, p] : attention.named_parameters()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"v", "query_proj.weight", "key_proj.weight", "key_proj.bias"}));
}
