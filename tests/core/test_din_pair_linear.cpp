// din_pair_linear, DIN's factored first unit layer: gradients, and agreement with the plain form it
// replaces (gather the pairs' rows, concatenate [q, k, q - k, q * k], one linear) in values and every
// gradient, with repeated rows, unused (padded) keys and several queries per batch row.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Three queries against five keys; key 3 is never paired (a padded position), queries repeat.
const std::vector<std::int64_t> kQueryRows{0, 0, 0, 1, 1, 2, 2, 2, 2};
const std::vector<std::int64_t> kKeyRows{0, 1, 2, 0, 1, 4, 2, 1, 0};

Tensor factored(const Inputs& in) { return din_pair_linear(in[0], in[1], kQueryRows, kKeyRows, in[2], in[3]); }
Tensor factored_without_bias(const Inputs& in) {
  return din_pair_linear(in[0], in[1], kQueryRows, kKeyRows, in[2], Tensor());
}
Tensor plain(const Inputs& in) {
  const Tensor q = gather_rows(in[0], kQueryRows, {kQueryRows.size()});
  const Tensor k = gather_rows(in[1], kKeyRows, {kKeyRows.size()});
  return linear(concat({q, k, q - k, q * k}, -1), in[2], in[3]);
}

// Output and the gradients of sum(f(inputs) * grad_output) for each input, fresh leaves per call.
std::vector<std::vector<double>> output_and_grads(const Op& f, const Inputs& values, const Tensor& grad_output) {
  Inputs leaves;
  for (const Tensor& v : values) leaves.push_back(v.detach().requires_grad_());
  const Tensor y = f(leaves);
  y.backward(grad_output);
  std::vector<std::vector<double>> out{y.to_vector()};
  for (const Tensor& leaf : leaves) out.push_back(leaf.grad().to_vector());
  return out;
}
}  // namespace

TEST(DinPairLinear, Gradcheck) {
  Rng rng(1);
  EXPECT_GRADCHECK(factored, {param({3, 2}, rng), param({5, 2}, rng), param({4, 8}, rng), param({4}, rng)});
  EXPECT_GRADCHECK(factored_without_bias, {param({3, 2}, rng), param({5, 2}, rng), param({4, 8}, rng)});
}

TEST(DinPairLinear, MatchesConcatenatedFeaturesInValuesAndEveryGradient) {
  Rng rng(2);
  const Inputs values{param({3, 4}, rng), param({5, 4}, rng), param({6, 16}, rng), param({6}, rng)};
  const Tensor grad_output = Tensor::uniform({kQueryRows.size(), 6}, -1, 1, rng, DType::Float64);
  const auto fast = output_and_grads(factored, values, grad_output);
  const auto reference = output_and_grads(plain, values, grad_output);
  const char* names[] = {"output", "query", "keys", "weight", "bias"};
  for (std::size_t i = 0; i < fast.size(); ++i) {
    ASSERT_EQ(fast[i].size(), reference[i].size()) << names[i];
    for (std::size_t j = 0; j < fast[i].size(); ++j)
      EXPECT_NEAR(fast[i][j], reference[i][j], 1e-12) << names[i] << " " << j;
  }
  for (std::size_t j = 3 * 4; j < 4 * 4; ++j) EXPECT_EQ(fast[2][j], 0.0) << "the unpaired key got gradient";
}

TEST(DinPairLinear, BadShapesAndRowsNameWhatIsWrong) {
  Rng rng(3);
  const Tensor query = param({3, 2}, rng), keys = param({5, 2}, rng), weight = param({4, 8}, rng),
               bias = param({4}, rng);
  EXPECT_TRUE(ThrowsNaming([&] { din_pair_linear(query, keys, {0}, {0}, param({4, 6}, rng), bias); },
                           {"din_pair_linear", "weight [4, 6]", "[H, 4D]"}));
  EXPECT_TRUE(ThrowsNaming([&] { din_pair_linear(query, param({5, 3}, rng), {0}, {0}, weight, bias); },
                           {"din_pair_linear", "keys [5, 3]"}));
  EXPECT_TRUE(ThrowsNaming([&] { din_pair_linear(query, keys, {0, 1}, {0}, weight, bias); },
                           {"din_pair_linear", "2 query rows but 1 key rows"}));
  EXPECT_TRUE(ThrowsNaming<std::out_of_range>([&] { din_pair_linear(query, keys, {0, 1}, {0, 5}, weight, bias); },
                           {"din_pair_linear", "key row 5", "pair 1", "5 rows"}));
}
