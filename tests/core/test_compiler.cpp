// The compiler with the project's flags (CMakeLists.txt): Debian 12's GCC 12.2 with AVX-512 stores
// `{1, 1, 0, 0}` as {1, 1, 1, 1}, which silently changed labels and expected values in tests. A build
// whose flags let that bug through fails here by name.
#include <vector>

#include <gtest/gtest.h>

namespace {
[[gnu::noinline]] std::vector<double> clicks() { return {1, 1, 0, 0}; }
[[gnu::noinline]] std::vector<float> weights() { return {0.5f, 0.5f, 0.0f, 0.0f, 2.0f, 2.0f, 0.0f, 0.0f}; }
}  // namespace

TEST(Compiler, ListInitialisedVectorsHoldTheirValues) {
  const std::vector<double> c = clicks();
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0] + c[1] + c[2] + c[3], 2.0);
  EXPECT_EQ(c[2], 0.0);
  EXPECT_EQ(c[3], 0.0);
  const std::vector<float> w = weights();
  float sum = 0;
  for (float x : w) sum += x;
  EXPECT_EQ(sum, 5.0f);
}
