// Elementwise ops: gradients with broadcasting, PyTorch's values, and shape errors.
#include <cmath>

#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

namespace {
// Operand shapes as attention and embeddings broadcast them: [B, T, D] with [D], [B, 1, D] with
// [B, T, D], both sides growing ([2, 3, 1] with [1, 3, 4]), a scalar with a matrix, equal shapes.
const std::vector<std::pair<Shape, Shape>> kBroadcastPairs = {
    {{2, 3, 4}, {4}}, {{2, 1, 4}, {2, 3, 4}}, {{2, 3, 1}, {1, 3, 4}}, {{}, {2, 3}}, {{3}, {3}}};

// Shapes for the unary ops: a scalar, a vector, a 3-D tensor.
const std::vector<Shape> kShapes = {{}, {5}, {2, 3, 4}};
}  // namespace

TEST(Elementwise, AddSubMulGradcheckWithBroadcasting) {
  Rng rng(1);
  for (const auto& [sa, sb] : kBroadcastPairs) {
    SCOPED_TRACE(to_string(sa) + " with " + to_string(sb));
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] + in[1]; }, {param(sa, rng), param(sb, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] - in[1]; }, {param(sa, rng), param(sb, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] * in[1]; }, {param(sa, rng), param(sb, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[1] * in[0]; }, {param(sa, rng), param(sb, rng)});
  }
}

TEST(Elementwise, DivGradcheckWithBroadcastingAwayFromZero) {
  Rng rng(2);
  for (const auto& [sa, sb] : kBroadcastPairs) {
    SCOPED_TRACE(to_string(sa) + " / " + to_string(sb));
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] / in[1]; }, {param(sa, rng), param(sb, rng, 0.5, 2.0)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[1] / in[0]; }, {param(sa, rng, -2.0, -0.5), param(sb, rng)});
  }
}

TEST(Elementwise, UnaryOpsGradcheck) {
  Rng rng(3);
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(to_string(s));
    EXPECT_GRADCHECK([](const Inputs& in) { return -in[0]; }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] + 0.5; }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return 2.0 - in[0]; }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] * -1.5; }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return in[0] / 4.0; }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return exp(in[0]); }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return sigmoid(in[0]); }, {param(s, rng, -4.0, 4.0)});
    EXPECT_GRADCHECK([](const Inputs& in) { return tanh(in[0]); }, {param(s, rng)});
  }
}

TEST(Elementwise, PowGradcheckForIntegerAndFractionalExponents) {
  Rng rng(4);
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(to_string(s));
    EXPECT_GRADCHECK([](const Inputs& in) { return pow(in[0], 3.0); }, {param(s, rng)});
    EXPECT_GRADCHECK([](const Inputs& in) { return pow(in[0], 2.5); }, {param(s, rng, 0.5, 2.0)});
    EXPECT_GRADCHECK([](const Inputs& in) { return pow(in[0], -1.0); }, {param(s, rng, 0.5, 2.0)});
  }
}

TEST(Elementwise, LogAndSqrtGradcheckAwayFromZero) {
  Rng rng(5);
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(to_string(s));
    EXPECT_GRADCHECK([](const Inputs& in) { return log(in[0]); }, {param(s, rng, 0.5, 2.0)});
    EXPECT_GRADCHECK([](const Inputs& in) { return sqrt(in[0]); }, {param(s, rng, 0.5, 2.0)});
  }
}

TEST(Elementwise, ReluGradcheckAwayFromTheKink) {
  Rng rng(6);
  for (const Shape& s : kShapes) {
    SCOPED_TRACE(to_string(s));
    EXPECT_GRADCHECK([](const Inputs& in) { return relu(in[0]); }, {param_away_from_zero(s, rng)});
  }
}

TEST(Elementwise, ReluGradientAtZeroIsZeroAsInPyTorch) {
  Tensor x = Tensor::from_vector({3}, {-1.0, 0.0, 2.0}, DType::Float64).requires_grad_();
  sum(relu(x)).backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{0, 0, 1}));
}

TEST(Elementwise, SigmoidOfHugeLogitsIsFinite) {
  for (DType d : {DType::Float32, DType::Float64}) {
    const std::vector<double> y = sigmoid(Tensor::from_vector({2}, {1e4, -1e4}, d)).to_vector();
    EXPECT_EQ(y[0], 1.0);
    EXPECT_EQ(y[1], 0.0);
  }
}

TEST(Elementwise, MatchesPyTorch) {
  const auto binary = [](const std::string& name, Tensor (*op)(const Tensor&, const Tensor&)) {
    expect_matches_torch(name, {"a", "b"}, [op](const Inputs& in) { return op(in[0], in[1]); });
  };
  binary("add", add);
  binary("sub", sub);
  binary("mul", mul);
  binary("div", div);
  const auto unary = [](const std::string& name, const Op& op) { expect_matches_torch(name, {"x"}, op); };
  unary("neg", [](const Inputs& in) { return neg(in[0]); });
  unary("add_scalar", [](const Inputs& in) { return add_scalar(in[0], 0.5); });
  unary("mul_scalar", [](const Inputs& in) { return mul_scalar(in[0], -1.5); });
  unary("pow", [](const Inputs& in) { return pow(in[0], 3.0); });
  unary("pow_fractional", [](const Inputs& in) { return pow(in[0], 2.5); });
  unary("exp", [](const Inputs& in) { return exp(in[0]); });
  unary("log", [](const Inputs& in) { return log(in[0]); });
  unary("sqrt", [](const Inputs& in) { return sqrt(in[0]); });
  unary("sigmoid", [](const Inputs& in) { return sigmoid(in[0]); });
  unary("tanh", [](const Inputs& in) { return tanh(in[0]); });
  unary("relu", [](const Inputs& in) { return relu(in[0]); });
}

TEST(Elementwise, ShapesThatDoNotBroadcastAreNamedInTheError) {
  const Tensor a = Tensor::ones({2, 3}), b = Tensor::ones({4});
  EXPECT_TRUE(ThrowsNaming([&] { add(a, b); }, {"add", "[2, 3]", "[4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { sub(a, b); }, {"sub", "[2, 3]", "[4]"}));
  EXPECT_TRUE(ThrowsNaming([&] { mul(b, a); }, {"mul", "[4]", "[2, 3]"}));
  EXPECT_TRUE(ThrowsNaming([&] { div(a, Tensor::ones({3, 3})); }, {"div", "[2, 3]", "[3, 3]"}));
}

TEST(Elementwise, MixedDtypesAreNamedInTheError) {
  EXPECT_TRUE(ThrowsNaming([] { mul(Tensor::ones({2}), Tensor::ones({2}, DType::Float64)); },
                           {"mul", "float32", "float64"}));
}
