// to_dot: the drawing of a graph has one box per tensor, one ellipse per op, edges along the forward pass.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "core/graph_dot.h"
#include "core/ops.h"

using namespace recgrad;

namespace {
std::size_t count(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  return std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator());
}
}  // namespace

TEST(GraphDot, DrawsEveryTensorAndOpOfATinyExpression) {
  // y = sum(h * h), h = x w + b: h feeds one op twice, x needs no grad, w and b are parameters.
  const Tensor x = Tensor::ones({2, 3}, DType::Float64);
  const Tensor w = Tensor::ones({3, 4}, DType::Float64).requires_grad_();
  const Tensor b = Tensor::ones({4}, DType::Float64).requires_grad_();
  const Tensor h = matmul(x, w) + b;
  const std::string dot = to_dot(sum(h * h));

  EXPECT_EQ(dot.rfind("digraph", 0), 0u) << dot;
  EXPECT_EQ(dot.back(), '\n');
  EXPECT_EQ(count(dot, R"(t\d+ \[shape=box)"), 7u) << dot;  // x, w, b, x w, h, h * h, y
  EXPECT_EQ(count(dot, R"(op\d+ \[shape=ellipse)"), 4u) << dot;
  for (const char* op : {"matmul", "add", "mul", "sum"})
    EXPECT_EQ(count(dot, std::string("label=\"") + op + "\""), 1u) << op << "\n" << dot;
  EXPECT_EQ(count(dot, "fillcolor"), 2u) << dot;  // only w and b are highlighted
  EXPECT_EQ(count(dot, R"(label="\[3, 4\]", style=filled)"), 1u) << dot;
  EXPECT_EQ(count(dot, R"(label="\[4\]", style=filled)"), 1u) << dot;
  EXPECT_EQ(count(dot, R"(label="\[2, 3\]"\])"), 1u) << dot;  // x: a plain box
  EXPECT_EQ(count(dot, R"(label="\[\]")"), 1u) << dot;       // y
  EXPECT_EQ(count(dot, " -> "), 11u) << dot;  // 4 op -> output, 7 input -> op (h twice into mul)
}

TEST(GraphDot, EdgesGoFromInputThroughOpToOutput) {
  const Tensor a = Tensor::ones({2}, DType::Float64).requires_grad_();
  const std::string dot = to_dot(exp(a));
  EXPECT_NE(dot.find("t0 [shape=box, label=\"[2]\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("op0 [shape=ellipse, label=\"exp\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("op0 -> t0;"), std::string::npos) << dot;
  EXPECT_NE(dot.find("t1 -> op0;"), std::string::npos) << dot;
}

TEST(GraphDot, LeafAloneIsOneBox) {
  const std::string dot = to_dot(Tensor::zeros({3}));
  EXPECT_EQ(count(dot, "shape=box"), 1u);
  EXPECT_EQ(count(dot, " -> "), 0u);
}

TEST(GraphDot, DeepChainDoesNotOverflowTheStack) {
  const Tensor x = Tensor::scalar(1.0, DType::Float64).requires_grad_();
  Tensor y = x;
  for (int i = 0; i < 50000; ++i) y = y + 1.0;
  EXPECT_EQ(count(to_dot(y), "add_scalar"), 50000u);
}
