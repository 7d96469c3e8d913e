// TransformerBlock against torch.nn.TransformerEncoderLayer (tests/golden/attention.py) and its masking.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/transformer_block.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
constexpr const char* kFixture = "attention.json";

Tensor golden(const std::string& name) { return fixture_tensor(kFixture, "block." + name); }

TransformerBlockOptions no_dropout() {
  TransformerBlockOptions options;
  options.dropout = 0.0;
  return options;
}

// The golden block: D = 8, h = 2, feed-forward 16, ReLU, dropout 0, parameters from the fixture.
std::shared_ptr<TransformerBlock> golden_block() {
  Rng rng(0);
  auto block = std::make_shared<TransformerBlock>(8, 2, 16, rng, DType::Float64, no_dropout());
  load_parameters(*block, kFixture, "block.");
  return block;
}
}  // namespace

TEST(TransformerBlock, ParametersUseTorchsEncoderLayerNames) {
  Rng rng(1);
  const TransformerBlock block(8, 2, 16, rng);
  std::vector<std::string> names;
  for (const auto& named : block.named_parameters()) names.push_back(named.first);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "self_attn.q_proj.weight", "self_attn.q_proj.bias", "self_attn.k_proj.weight",
                       "self_attn.k_proj.bias", "self_attn.v_proj.weight", "self_attn.v_proj.bias",
                       "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight", "linear1.bias",
                       "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"}));
  EXPECT_EQ(block.linear1->weight.shape(), (Shape{16, 8}));
}

TEST(TransformerBlock, MatchesPyTorchEncoderLayerOutputAndGradients) {
  const auto block = golden_block();
  Tensor history = golden("history");
  history.requires_grad_();
  const AttentionOutput a = block->forward(history, golden("key_padding_mask"));
  EXPECT_TRUE(AllClose(a.output, golden("output"), 1e-9));
  sum(a.output * golden("grad_output")).backward();
  EXPECT_TRUE(AllClose(history.grad(), golden("history.grad"), 1e-9));
  for (const auto& [name, p] : block->named_parameters())
    EXPECT_TRUE(AllClose(p.grad(), golden(name + ".grad"), 1e-9)) << name;
}

TEST(TransformerBlock, PaddedPositionsDoNotLeakIntoRealOnes) {
  const auto block = golden_block();
  const Tensor mask = golden("key_padding_mask");  // lengths 4, 2, 1
  const std::vector<std::size_t> lengths{4, 2, 1};
  Tensor history = golden("history");
  history.requires_grad_();
  const AttentionOutput a = block->forward(history, mask);
  // Real rows only: (1 - mask) [B, T, 1] keeps them.
  sum(a.output * (1.0 - reshape(mask, {3, 4, 1}))).backward();
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t t = lengths[b]; t < 4; ++t)
      for (std::size_t d = 0; d < 8; ++d) EXPECT_EQ(history.grad().at({b, t, d}), 0.0) << b << " " << t;

  // Changing what sits in the padded slots changes no real row.
  const Tensor other =
      block->forward(history * (1.0 - reshape(mask, {3, 4, 1})) + 7.0 * reshape(mask, {3, 4, 1}), mask).output;
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t t = 0; t < lengths[b]; ++t)
      for (std::size_t d = 0; d < 8; ++d) EXPECT_NEAR(other.at({b, t, d}), a.output.at({b, t, d}), 1e-12);
}

TEST(TransformerBlock, EmptyHistoryStaysFinite) {
  const auto block = golden_block();
  Tensor history = golden("history");
  history.requires_grad_();
  const AttentionOutput a = block->forward(history, padding_mask({4, 0, 1}, 4, DType::Float64));
  for (double v : a.output.to_vector()) ASSERT_TRUE(std::isfinite(v));
  for (double v : slice(a.weights, 0, 1, 2).to_vector()) EXPECT_EQ(v, 0.0);
  sum(a.output).backward();
  for (double v : history.grad().to_vector()) ASSERT_TRUE(std::isfinite(v));
}

TEST(TransformerBlock, GradcheckWithMixedLengthsAndEmptyHistory) {
  Rng rng(2);
  TransformerBlockOptions options = no_dropout();
  options.activation = "sigmoid";  // smooth, so central differences meet no kink
  TransformerBlock block(4, 2, 6, rng, DType::Float64, options);
  for (Tensor p : block.parameters()) p.copy_from(Tensor::randn(p.shape(), rng, DType::Float64));
  const Tensor mask = padding_mask({3, 1, 0}, 3, DType::Float64);
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return flat(block.forward(in[0], mask)); },
                   with_parameters({random_input({3, 3, 4}, rng)}, block));
}

TEST(TransformerBlock, DropoutOnlyWhileTraining) {
  Rng rng(3);
  TransformerBlockOptions options;
  options.dropout = 0.5;
  TransformerBlock block(8, 2, 16, rng, DType::Float64, options);
  const Tensor history = Tensor::randn({2, 4, 8}, rng, DType::Float64);
  EXPECT_FALSE(AllClose(block.forward(history).output, block.forward(history).output, 1e-6));
  block.eval();
  EXPECT_TRUE(AllClose(block.forward(history).output, block.forward(history).output, 0.0));
}
