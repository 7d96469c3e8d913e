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

namespace {
// x's element at out's element `flat` (row-major), by NumPy broadcasting (x aligned right, size-1 axes repeat).
double broadcast_at(const Tensor& x, const std::vector<double>& values, const Shape& out, std::size_t flat) {
  std::size_t offset = 0, stride = 1;
  for (std::size_t d = out.size(); d-- > 0;) {
    const std::size_t i = flat % out[d];
    flat /= out[d];
    if (d + x.dim() < out.size()) continue;  // out's axis d is left of x's axes
    const std::size_t xd = d + x.dim() - out.size();  // x's axis aligned with out's axis d
    if (x.shape()[xd] != 1) offset += i * stride;
    stride *= x.shape()[xd];
  }
  return values[offset];
}
}  // namespace

TEST(Elementwise, RowLoopAndXtensorFormsGiveEachElementOfTheDefinitionBitForBit) {
  // float32 results against the definition, element by element: the row loop's shapes (equal, an
  // operand repeated along the leading axes, a [1]-padded one, a scalar) and xtensor's (a broadcast
  // in the middle, both sides growing), each operand on either side.
  const std::vector<std::pair<Shape, Shape>> pairs = {{{64, 50, 24}, {64, 50, 24}}, {{64, 50, 24}, {50, 24}},
                                                      {{50, 24}, {64, 50, 24}},     {{64, 50, 24}, {1, 50, 24}},
                                                      {{64, 50, 24}, {24}},         {{64, 50, 24}, {}},
                                                      {{64, 1, 24}, {64, 50, 24}},  {{64, 50, 1}, {1, 50, 24}}};
  Rng rng(7);
  for (const auto& [sa, sb] : pairs) {
    SCOPED_TRACE(to_string(sa) + " with " + to_string(sb));
    const Tensor a = Tensor::uniform(sa, 0.5, 2, rng), b = Tensor::uniform(sb, 0.5, 2, rng);
    const std::vector<double> av = a.to_vector(), bv = b.to_vector();
    const Shape out = broadcast_shapes(sa, sb, "test");
    const std::vector<double> sum = (a + b).to_vector(), product = (a * b).to_vector(),
                              difference = (a - b).to_vector(), quotient = (a / b).to_vector();
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < numel(out); ++i) {
      const float x = float(broadcast_at(a, av, out, i)), y = float(broadcast_at(b, bv, out, i));
      wrong += float(sum[i]) != x + y || float(product[i]) != x * y || float(difference[i]) != x - y ||
               float(quotient[i]) != x / y;
    }
    EXPECT_EQ(wrong, 0u);
  }
}

TEST(Elementwise, GradientOfARepeatedOperandSumsItsRowsInOrder) {
  // b [T, D] (or [1, T, D], [D]) added to a [B, T, D]: db is dy summed over the leading axes, each
  // element in row order in float32, as the definition's loop does.
  Rng rng(8);
  for (const Shape& sb : {Shape{50, 24}, Shape{1, 50, 24}, Shape{24}, Shape{1, 1, 24}}) {
    SCOPED_TRACE(to_string(sb));
    const Tensor a = Tensor::uniform({300, 50, 24}, -1, 1, rng), b = Tensor::uniform(sb, -1, 1, rng).requires_grad_();
    const Tensor dy = Tensor::uniform({300, 50, 24}, -1, 1, rng);
    (a + b).backward(dy);
    const std::vector<double> g = dy.to_vector(), db = b.grad().to_vector();
    const std::size_t cols = numel(sb), rows = g.size() / cols;
    std::size_t wrong = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      float s = 0;
      for (std::size_t r = 0; r < rows; ++r) s += float(g[r * cols + c]);
      wrong += float(db[c]) != s;
    }
    EXPECT_EQ(wrong, 0u);
    EXPECT_EQ(b.grad().shape(), sb);
  }
}
