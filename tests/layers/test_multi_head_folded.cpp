// MultiHeadAttention's folded form (folded_heads in layers/multi_head_attention.cpp): with few queries
// Wk and Wv move to the query side and the keys and values are never projected. It must equal the
// projected reference in values and every gradient, and run exactly where it costs less.
#include <gtest/gtest.h>

#include <string>

#include "layers/multi_head_attention.h"
#include "tests/layers/fused_reference.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// How many projections the graph under y runs: Linear's fused op, once each for q_proj and out_proj,
// and for k_proj and v_proj too unless the layer folded.
std::size_t projections(const Tensor& y) {
  const std::string dot = to_dot(y), label = "label=\"linear\"";
  std::size_t count = 0;
  for (std::size_t at = dot.find(label); at != std::string::npos; at = dot.find(label, at + 1)) ++count;
  return count;
}

// A float64 layer whose parameters, biases included, are all N(0, 1), the same for every call.
std::shared_ptr<MultiHeadAttention> random_layer(std::size_t dim, std::size_t heads, bool bias) {
  Rng rng(31);
  auto mha = std::make_shared<MultiHeadAttention>(dim, heads, rng, DType::Float64, MultiHeadAttentionOptions{bias});
  for (Tensor p : mha->parameters()) p.copy_from(Tensor::randn(p.shape(), rng, DType::Float64));
  return mha;
}

// Output [B, Tq, D] of a float32 layer at the given sizes, for the graph's shape.
Tensor attend(std::size_t dim, std::size_t heads, std::size_t query_len, std::size_t key_len) {
  Rng rng(32);
  MultiHeadAttention mha(dim, heads, rng);
  const Tensor query = Tensor::randn({2, query_len, dim}, rng), history = Tensor::randn({2, key_len, dim}, rng);
  return mha.forward(query, history, history, padding_mask({key_len, 1}, key_len)).output;
}
}  // namespace

TEST(MultiHeadAttention, FoldedHeadsEqualProjectedReference) {
  // D = 16, T = 6: both Tq fold for both head counts (Tq D + h Tq T < T D + Tq T). An empty history in row 2.
  const std::size_t D = 16, T = 6;
  const std::vector<std::size_t> lengths{6, 2, 0};
  for (std::size_t Tq : {1, 2})
    for (std::size_t heads : {1, 4})
      for (bool bias : {true, false}) {
        SCOPED_TRACE("Tq = " + std::to_string(Tq) + ", h = " + std::to_string(heads) + ", bias = " +
                     std::to_string(bias));
        Rng rng(30);
        // Keys and values differ: the layer allows it, though the click model passes one history.
        const std::vector<Tensor> inputs{random_input({3, Tq, D}, rng), random_input({3, T, D}, rng),
                                         random_input({3, T, D}, rng)};
        const auto forward = [&](MultiHeadAttention& layer, const std::vector<Tensor>& in) {
          return flat(layer.forward(in[0], in[1], in[2], padding_mask(lengths, T, DType::Float64)));
        };
        std::vector<Tensor> leaves;
        for (const Tensor& in : inputs) leaves.push_back(in.detach());
        ASSERT_EQ(projections(forward(*random_layer(D, heads, bias), leaves)), 2u) << "the layer did not fold";
        expect_fused_equals_reference<MultiHeadAttention>([&] { return random_layer(D, heads, bias); }, forward,
                                                          inputs, "head_mix");
      }
}

TEST(MultiHeadAttention, FoldedGradcheckWithMixedLengthsAndEmptyHistory) {
  const auto mha = random_layer(8, 2, /*bias=*/true);
  const Tensor mask = padding_mask({5, 1, 0}, 5, DType::Float64);
  for (std::size_t Tq : {1, 2}) {
    SCOPED_TRACE("Tq = " + std::to_string(Tq));
    Rng rng(33);
    const std::vector<Tensor> inputs{random_input({3, Tq, 8}, rng), random_input({3, 5, 8}, rng),
                                     random_input({3, 5, 8}, rng)};
    const auto f = [&](const std::vector<Tensor>& in) { return flat(mha->forward(in[0], in[1], in[2], mask)); };
    ASSERT_EQ(projections(f(inputs)), 2u) << "the layer did not fold";
    EXPECT_GRADCHECK(f, with_parameters(inputs, *mha));
  }
}

TEST(MultiHeadAttention, TargetAttentionFoldsAndSelfAttentionProjects) {
  // The shipped (D, h): configs/default.json and bst.json (24, 2), bench/models.json's mh128 and large
  // (128, 4); histories just longer than h, of 50 and of 100.
  for (const auto& [D, heads] : {std::pair<std::size_t, std::size_t>{24, 2}, {128, 4}})
    for (std::size_t T : {heads + 1, std::size_t{50}, std::size_t{100}}) {
      SCOPED_TRACE("D = " + std::to_string(D) + ", h = " + std::to_string(heads) + ", T = " + std::to_string(T));
      EXPECT_EQ(projections(attend(D, heads, 1, T)), 2u) << "target attention projected the keys";
      EXPECT_EQ(projections(attend(D, heads, T, T)), 4u) << "self-attention folded";
    }
  // With a single key folding costs more (Tq D + h Tq T >= T D + Tq T): the layer projects.
  EXPECT_EQ(projections(attend(24, 2, 1, 1)), 4u);
}
