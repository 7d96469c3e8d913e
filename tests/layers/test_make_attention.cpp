// The attention family (layers/attention.h): kinds by name, make_attention, and mean pooling.
#include <gtest/gtest.h>

#include <stdexcept>

#include "layers/attention.h"
#include "layers/din_attention.h"
#include "layers/item_embedding.h"
#include "layers/mean_pooling.h"
#include "layers/multi_head_attention.h"
#include "layers/position_embedding.h"
#include "tests/layers/test_attention_util.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
const std::vector<std::size_t> kLengths{3, 1, 0};
constexpr std::size_t kB = 3, kT = 3, kD = 4;

Tensor mask() { return padding_mask(kLengths, kT, DType::Float64); }

// The attention of kind `name` for items of kD, in float64 (2 heads; a DIN unit of one hidden layer).
std::shared_ptr<Attention> make_kind(const std::string& name, Rng& rng) {
  AttentionOptions options;
  options.kind = parse_attention_kind(name);
  options.heads = 2;
  options.din_hidden = {5};
  return make_attention(options, kD, rng, DType::Float64);
}

template <class Parse, class Name>
void expect_names_round_trip(const std::vector<std::string>& names, Parse parse, Name name) {
  for (const std::string& n : names) EXPECT_EQ(name(parse(n)), n);
  try {
    parse("bogus");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    for (const std::string& n : names) EXPECT_NE(std::string(e.what()).find(n), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"bogus\""), std::string::npos) << e.what();
  }
}
}  // namespace

TEST(EnumNames, EveryNameRoundTripsAndAnUnknownOneThrowsListingThem) {
  expect_names_round_trip(attention_kind_names(), parse_attention_kind, attention_kind_name);
  expect_names_round_trip(position_kind_names(), parse_position_kind, position_kind_name);
  expect_names_round_trip(field_combine_names(), parse_field_combine, field_combine_name);
}

TEST(MakeAttention, EveryKindPoolsTheHistoryAndPaddedKeysWeighNothing) {
  for (const std::string& name : attention_kind_names()) {
    SCOPED_TRACE(name);
    Rng rng(1);
    const std::shared_ptr<Attention> attention = make_kind(name, rng);
    const AttentionOutput a = attention->forward(random_input({kB, 1, kD}, rng), random_input({kB, kT, kD}, rng),
                                                 random_input({kB, kT, kD}, rng), mask());
    EXPECT_EQ(a.output.shape(), (Shape{kB, 1, kD}));
    const std::vector<double> w = a.weights.to_vector();  // [B, (h,) 1, T]: the last row is all padding
    for (std::size_t i = w.size() - w.size() / kB; i < w.size(); ++i) EXPECT_EQ(w[i], 0.0);
  }
}

TEST(MakeAttention, EveryKindRejectsAnEmptyQueryOrKeyAxis) {
  for (const std::string& name : attention_kind_names()) {
    SCOPED_TRACE(name);
    Rng rng(3);
    const std::shared_ptr<Attention> attention = make_kind(name, rng);
    const Tensor keys = random_input({kB, kT, kD}, rng), query = random_input({kB, 1, kD}, rng);
    EXPECT_TRUE(ThrowsNaming([&] { attention->forward(random_input({kB, 0, kD}, rng), keys, keys, mask()); },
                             {"Tq, T and D must be at least 1", "query [3, 0, 4]"}));
    const Tensor no_keys = random_input({kB, 0, kD}, rng);
    EXPECT_TRUE(ThrowsNaming([&] { attention->forward(query, no_keys, no_keys, Tensor()); },
                             {"Tq, T and D must be at least 1", "keys [3, 0, 4]"}));
  }
}

TEST(MakeAttention, PassesEachKindItsOptions) {
  Rng rng(2);
  AttentionOptions options;
  options.kind = AttentionKind::MultiHead;
  options.heads = 2;
  EXPECT_EQ(std::dynamic_pointer_cast<MultiHeadAttention>(make_attention(options, kD, rng))->num_heads(), 2u);
  options.kind = AttentionKind::Din;
  options.din_hidden = {7};
  const NamedTensors din = make_attention(options, kD, rng)->named_parameters();
  EXPECT_EQ(din.front().second.shape(), (Shape{7, 4 * kD}));
}

TEST(MeanPooling, WeightsAreUniformOverUnpaddedKeysWhateverTheQuery) {
  Rng rng(3);
  MeanPooling mean;
  const Tensor keys = random_input({kB, kT, kD}, rng);
  const AttentionOutput a = mean.forward(random_input({kB, 2, kD}, rng), keys, keys, mask());
  const AttentionOutput b = mean.forward(random_input({kB, 2, kD}, rng), keys, keys, mask());
  const double third = 1.0 / 3;
  const Tensor expected = Tensor::from_vector(
      {kB, 2, kT}, {third, third, third, third, third, third, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, DType::Float64);
  EXPECT_TRUE(AllClose(a.weights, expected, 1e-15));
  EXPECT_TRUE(AllClose(a.output, b.output, 0.0));
  for (double v : slice(a.output, 0, 2, 3).to_vector()) EXPECT_EQ(v, 0.0);
}

TEST(MeanPooling, GradcheckWithPaddingAndAnAllPaddedRow) {
  Rng rng(4);
  MeanPooling mean;
  EXPECT_GRADCHECK([&](const std::vector<Tensor>& in) { return flat(mean.forward(in[0], in[1], in[2], mask())); },
                   {random_input({kB, 1, kD}, rng), random_input({kB, kT, kD}, rng), random_input({kB, kT, 2}, rng)});
}
