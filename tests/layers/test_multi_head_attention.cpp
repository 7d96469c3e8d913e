// MultiHeadAttention against torch.nn.MultiheadAttention (tests/golden/attention.py) and its properties.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "layers/multi_head_attention.h"
#include "layers/scaled_dot_attention.h"
#include "tests/layers/fused_reference.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
constexpr const char* kFixture = "attention.json";

Tensor golden(const std::string& name) { return fixture_tensor(kFixture, "mha." + name); }

// The golden layer: D = 8, h = 2, parameters from the fixture.
std::shared_ptr<MultiHeadAttention> golden_layer() {
  Rng rng(0);
  auto mha = std::make_shared<MultiHeadAttention>(8, 2, rng, DType::Float64);
  load_parameters(*mha, kFixture, "mha.");
  return mha;
}
}  // namespace

TEST(MultiHeadAttention, ParametersAreTorchsFourProjectionsUnderTheirNames) {
  Rng rng(1);
  const MultiHeadAttention mha(8, 2, rng);
  const std::vector<std::string> names{"q_proj.weight", "q_proj.bias", "k_proj.weight",   "k_proj.bias",
                                       "v_proj.weight", "v_proj.bias", "out_proj.weight", "out_proj.bias"};
  const NamedTensors params = mha.named_parameters();
  ASSERT_EQ(params.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(params[i].first, names[i]);
    EXPECT_EQ(params[i].second.shape(), i % 2 == 0 ? (Shape{8, 8}) : (Shape{8}));
  }
  EXPECT_EQ(mha.head_dim(), 4u);
  EXPECT_EQ(MultiHeadAttention(8, 2, rng, DType::Float32, {/*bias=*/false}).parameter_count(), 4u * 64u);
}

TEST(MultiHeadAttention, InitIsTorchsXavierOverThePackedInProjection) {
  Rng rng(2);
  const std::size_t D = 32;
  const MultiHeadAttention mha(D, 4, rng, DType::Float64);
  const double bound = std::sqrt(6.0 / (D + 3 * D));  // fan_in D, fan_out 3D
  for (const Tensor& w : {mha.q_proj->weight, mha.k_proj->weight, mha.v_proj->weight}) {
    double largest = 0;
    for (double v : w.to_vector()) largest = std::max(largest, std::abs(v));
    EXPECT_LE(largest, bound);
    EXPECT_GT(largest, 0.9 * bound);
  }
  for (const Tensor& b : {mha.q_proj->bias, mha.k_proj->bias, mha.v_proj->bias, mha.out_proj->bias})
    for (double v : b.to_vector()) EXPECT_EQ(v, 0.0);
}

TEST(MultiHeadAttention, EmbedDimNotDivisibleByHeadsThrowsNamingBoth) {
  Rng rng(3);
  try {
    MultiHeadAttention(10, 3, rng);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("embed_dim 10"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("num_heads 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(MultiHeadAttention(8, 0, rng), std::invalid_argument);
}

TEST(MultiHeadAttention, MatchesPyTorchOutputAndPerHeadWeights) {
  const auto mha = golden_layer();
  const AttentionOutput a = mha->forward(golden("query"), golden("keys"), golden("values"), golden("key_padding_mask"));
  EXPECT_TRUE(AllClose(a.output, golden("output"), 1e-9));
  EXPECT_TRUE(AllClose(a.weights, golden("weights"), 1e-9));
}

TEST(MultiHeadAttention, MatchesPyTorchInputAndParameterGradients) {
  const auto mha = golden_layer();
  Tensor query = golden("query"), keys = golden("keys"), values = golden("values");
  for (Tensor* t : {&query, &keys, &values}) t->requires_grad_();
  const AttentionOutput a = mha->forward(query, keys, values, golden("key_padding_mask"));
  (sum(a.output * golden("grad_output")) + sum(a.weights * golden("grad_weights"))).backward();
  EXPECT_TRUE(AllClose(query.grad(), golden("query.grad"), 1e-9));
  EXPECT_TRUE(AllClose(keys.grad(), golden("keys.grad"), 1e-9));
  EXPECT_TRUE(AllClose(values.grad(), golden("values.grad"), 1e-9));
  for (const auto& [name, p] : mha->named_parameters())
    EXPECT_TRUE(AllClose(p.grad(), golden(name + ".grad"), 1e-9)) << name;
}

// torch gives NaN here; an empty history is normal in recommendation, so recgrad gives zeros.
TEST(MultiHeadAttention, AllKeysMaskedGivesZeros) {
  const auto mha = golden_layer();  // its out_proj bias is not zero
  Tensor query = golden("query"), keys = golden("keys"), values = golden("values");
  for (Tensor* t : {&query, &keys, &values}) t->requires_grad_();
  const Tensor mask = padding_mask({5, 0, 2}, 5, DType::Float64);
  const AttentionOutput a = mha->forward(query, keys, values, mask);
  for (double v : slice(a.output, 0, 1, 2).to_vector()) EXPECT_EQ(v, 0.0);
  for (double v : slice(a.weights, 0, 1, 2).to_vector()) EXPECT_EQ(v, 0.0);
  sum(a.output).backward();
  for (const Tensor& t : {query.grad(), keys.grad(), values.grad()})
    for (double v : t.to_vector()) ASSERT_TRUE(std::isfinite(v));
  for (double v : slice(query.grad(), 0, 1, 2).to_vector()) EXPECT_EQ(v, 0.0);
}

TEST(MultiHeadAttention, SingleHeadIsScaledAttentionOfTheProjections) {
  Rng rng(4);
  MultiHeadAttention mha(6, 1, rng, DType::Float64);
  for (Tensor p : mha.parameters()) p.copy_from(Tensor::randn(p.shape(), rng, DType::Float64));
  const Tensor query = random_input({3, 2, 6}, rng), keys = random_input({3, 4, 6}, rng);
  const Tensor values = random_input({3, 4, 6}, rng);
  const Tensor mask = padding_mask({4, 1, 3}, 4, DType::Float64);
  const AttentionOutput multi = mha.forward(query, keys, values, mask);
  const AttentionOutput single = scaled_dot_product_attention(mha.q_proj->forward(query), mha.k_proj->forward(keys),
                                                              mha.v_proj->forward(values), mask);
  EXPECT_TRUE(AllClose(multi.output, mha.out_proj->forward(single.output), 1e-12));
  EXPECT_TRUE(AllClose(multi.weights, reshape(single.weights, {3, 1, 2, 4}), 1e-12));
}

TEST(MultiHeadAttention, GradcheckWithMixedLengthsAndEmptyHistory) {
  Rng rng(5);
  MultiHeadAttention mha(4, 2, rng, DType::Float64);
  for (Tensor p : mha.parameters()) p.copy_from(Tensor::randn(p.shape(), rng, DType::Float64));
  const Tensor mask = padding_mask({3, 1, 0}, 3, DType::Float64);
  EXPECT_GRADCHECK(
      [&](const std::vector<Tensor>& in) { return flat(mha.forward(in[0], in[1], in[2], mask)); },
      with_parameters({random_input({3, 1, 4}, rng), random_input({3, 3, 4}, rng), random_input({3, 3, 4}, rng)}, mha));
}

TEST(MultiHeadAttention, PermutingHistoryPermutesWeightsAndKeepsOutput) {
  const auto mha = golden_layer();
  const Tensor mask = golden("key_padding_mask");
  const std::vector<std::size_t> order{4, 2, 0, 1, 3};
  const AttentionOutput a = mha->forward(golden("query"), golden("keys"), golden("values"), mask);
  const AttentionOutput p = mha->forward(golden("query"), reorder(golden("keys"), 1, order),
                                         reorder(golden("values"), 1, order), reorder(mask, 1, order));
  EXPECT_TRUE(AllClose(p.output, a.output, 1e-12));
  EXPECT_TRUE(AllClose(p.weights, reorder(a.weights, 3, order), 1e-12));
}

TEST(MultiHeadAttention, WrongEmbedDimThrowsNamingTheLayer) {
  Rng rng(6);
  MultiHeadAttention mha(8, 2, rng);
  const Tensor x = Tensor::zeros({2, 3, 6});
  try {
    mha.forward(x, x, x);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("MultiHeadAttention"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[2, 3, 6]"), std::string::npos) << e.what();
  }
}

TEST(MultiHeadAttention, FusedHeadOpsEqualSplitHeadsMatmul) {
  // Mixed lengths and an empty history; one query (pooling, which folds: test_multi_head_folded.cpp) and
  // several (self-attention, which runs head_scores on the projections).
  const std::vector<std::size_t> lengths{4, 2, 0};
  for (std::size_t Tq : {1, 3}) {
    SCOPED_TRACE("Tq = " + std::to_string(Tq));
    Rng rng(20);
    expect_fused_equals_reference<MultiHeadAttention>(
        [] {
          Rng seeded(21);
          return std::make_shared<MultiHeadAttention>(6, 3, seeded, DType::Float64);
        },
        [&](MultiHeadAttention& layer, const std::vector<Tensor>& in) {
          return flat(layer.forward(in[0], in[1], in[2], padding_mask(lengths, 4, DType::Float64)));
        },
        {random_input({3, Tq, 6}, rng), random_input({3, 4, 6}, rng), random_input({3, 4, 6}, rng)}, "head_scores");
  }
}
