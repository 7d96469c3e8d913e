// gather_rows, the embedding lookup: repeated indices sum, padding rows get no gradient, and the
// backward records exactly the rows it touched.
#include "tests/core/op_testing.h"

using namespace recgrad;
using namespace recgrad::testing;

TEST(Gather, GradcheckWithRepeatedIndices) {
  Rng rng(1);
  EXPECT_GRADCHECK([](const Inputs& in) { return gather_rows(in[0], {1, 4, 1, 0, 5, 1}, {2, 3}); },
                   {param({6, 3}, rng)});
  EXPECT_GRADCHECK([](const Inputs& in) { return gather_rows(in[0], {2, 2}, {2}); }, {param({3, 2}, rng)});
}

TEST(Gather, GradcheckWithPaddingPositionsMaskedOut) {
  // As in a model: outputs at padding positions are masked away downstream, so the padding row's
  // numerical gradient is 0 too, and every other row is checked around it.
  Rng rng(2);
  const std::vector<std::int64_t> indices = {3, 0, 2, 0, 3, 1};
  const Tensor keep = Tensor::from_vector({2, 3, 1}, {1, 0, 1, 0, 1, 1}, DType::Float64);
  EXPECT_GRADCHECK([&](const Inputs& in) { return gather_rows(in[0], indices, {2, 3}, 0) * keep; },
                   {param({4, 3}, rng)});
}

TEST(Gather, ForwardCopiesTheRows) {
  const Tensor table = Tensor::from_vector({3, 2}, {0, 1, 10, 11, 20, 21});
  const Tensor y = gather_rows(table, {2, 0, 2}, {3});
  EXPECT_EQ(y.shape(), (Shape{3, 2}));
  EXPECT_EQ(y.to_vector(), (std::vector<double>{20, 21, 0, 1, 20, 21}));
}

TEST(Gather, RepeatedIndicesSumTheirGradients) {
  Tensor table = Tensor::zeros({3, 2}, DType::Float64).requires_grad_();
  gather_rows(table, {1, 1, 1}, {3}).backward(Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}, DType::Float64));
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{0, 0, 9, 12, 0, 0}));
}

TEST(Gather, PaddingRowGetsZeroGrad) {
  Tensor table = Tensor::ones({4, 2}, DType::Float64).requires_grad_();
  const Tensor y = gather_rows(table, {0, 2, 0, 2}, {4}, 0);
  EXPECT_EQ(y.at({0, 0}), 1.0);  // the forward reads the padding row, as PyTorch does
  sum(y).backward();
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{0, 0, 0, 0, 2, 2, 0, 0}));
}

TEST(Gather, GradRowsListsExactlyTheTouchedRows) {
  Tensor table = Tensor::ones({8, 2}, DType::Float64).requires_grad_();
  sum(gather_rows(table, {5, 3, 5, 0, 7}, {5}, 0)).backward();
  ASSERT_NE(table.grad_rows(), nullptr);
  EXPECT_EQ(*table.grad_rows(), (std::vector<std::int64_t>{3, 5, 7}));  // sorted, unique, padding left out
  // A second lookup adds its rows; zero_grad clears the list.
  sum(gather_rows(table, {1, 3}, {2}, 0)).backward();
  EXPECT_EQ(*table.grad_rows(), (std::vector<std::int64_t>{1, 3, 5, 7}));
  table.zero_grad();
  EXPECT_TRUE(table.grad_rows()->empty());
  for (double g : table.grad().to_vector()) EXPECT_EQ(g, 0.0);
}

TEST(Gather, DenseUseOfTheTableDropsTheRowList) {
  // The table also feeds a dense op: every row may have gradient, so the list is gone.
  Tensor table = Tensor::ones({4, 2}, DType::Float64).requires_grad_();
  (sum(gather_rows(table, {1}, {1})) + sum(table * 2.0)).backward();
  EXPECT_EQ(table.grad_rows(), nullptr);
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{2, 2, 3, 3, 2, 2, 2, 2}));
}

TEST(Gather, RowSparseGradStoresOnlyTheTouchedRows) {
  // A 1e6-row table must not get a dense [1e6, D] gradient: the buffer holds the touched rows, in
  // the order of grad_rows, and grad() unpacks them.
  Tensor table = Tensor::zeros({6, 2}, DType::Float64).requires_grad_();
  gather_rows(table, {4, 1, 4}, {3}).backward(Tensor::from_vector({3, 2}, {1, 2, 3, 4, 5, 6}, DType::Float64));
  ASSERT_NE(table.grad_rows(), nullptr);
  EXPECT_EQ(*table.grad_rows(), (std::vector<std::int64_t>{1, 4}));
  const double* packed = table.grad_data<double>();
  EXPECT_EQ(std::vector<double>(packed, packed + 4), (std::vector<double>{3, 4, 6, 8}));
  EXPECT_EQ(table.grad().to_vector(), (std::vector<double>{0, 0, 3, 4, 0, 0, 0, 0, 6, 8, 0, 0}));
}

TEST(Gather, RowsThenDenseAndDenseThenRowsBothSum) {
  const Tensor dy = Tensor::from_vector({2, 2}, {1, 2, 3, 4}, DType::Float64);
  const std::vector<double> expected{2, 2, 6, 8, 2, 2, 2, 2};  // 2 everywhere, plus both rows of dy on row 1
  Tensor rows_first = Tensor::ones({4, 2}, DType::Float64).requires_grad_();
  sum(gather_rows(rows_first, {1, 1}, {2}) * dy).backward();
  sum(rows_first * 2.0).backward();
  EXPECT_EQ(rows_first.grad_rows(), nullptr);
  EXPECT_EQ(rows_first.grad().to_vector(), expected);
  Tensor dense_first = Tensor::ones({4, 2}, DType::Float64).requires_grad_();
  sum(dense_first * 2.0).backward();
  sum(gather_rows(dense_first, {1, 1}, {2}) * dy).backward();
  EXPECT_EQ(dense_first.grad_rows(), nullptr);
  EXPECT_EQ(dense_first.grad().to_vector(), expected);
}

TEST(Gather, GradcheckLookupFromAComputedTable) {
  // A non-leaf table gets a dense gradient: its own backward reads it as one.
  Rng rng(3);
  EXPECT_GRADCHECK([](const Inputs& in) { return gather_rows(in[0] * in[0], {2, 0, 2}, {3}); }, {param({3, 2}, rng)});
}

TEST(Gather, MatchesPyTorch) {
  expect_matches_torch("gather_rows", {"table", "indices"}, [](const Inputs& in) {
    return gather_rows(in[0], as_indices(in[1]), in[1].shape());
  });
  expect_matches_torch("gather_rows_padding", {"table", "indices"}, [](const Inputs& in) {
    return gather_rows(in[0], as_indices(in[1]), in[1].shape(), 0);
  });
}

TEST(Gather, OutOfRangeIndexNamesIndexAndTableRows) {
  const Tensor table = Tensor::ones({6, 3});
  EXPECT_TRUE(ThrowsNaming<std::out_of_range>([&] { gather_rows(table, {1, 6}, {2}); },
                                              {"gather_rows", "index 6", "6 rows"}));
  EXPECT_TRUE(ThrowsNaming<std::out_of_range>([&] { gather_rows(table, {-1}, {1}); }, {"index -1", "6 rows"}));
}

TEST(Gather, BadShapesAreNamed) {
  EXPECT_TRUE(ThrowsNaming([] { gather_rows(Tensor::ones({6}), {1}, {1}); }, {"gather_rows", "2-D", "[6]"}));
  EXPECT_TRUE(ThrowsNaming([] { gather_rows(Tensor::ones({6, 3}), {1, 2, 3}, {2, 2}); },
                           {"gather_rows", "3 indices", "[2, 2]"}));
  EXPECT_TRUE(ThrowsNaming([] { gather_rows(Tensor::ones({6, 3}), {1}, {1}, 6); }, {"padding_idx 6", "6 rows"}));
}
