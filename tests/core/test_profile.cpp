// The profiler's bookkeeping on fake work: calls, self time of nested scopes, the backward phase, bytes
// counted by the storage pool, the rows adding up to the window, and the engine's backward rows.
// Times are only checked to be non-negative and to add up, never against a duration.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "core/ops.h"
#include "core/profile.h"
#include "core/random.h"
#include "core/storage_pool.h"

using namespace recgrad;

namespace {
const profile::Row& row(const profile::Report& report, const std::string& name) {
  for (const profile::Row& r : report.rows)
    if (r.name == name) return r;
  throw std::runtime_error("no row " + name);
}

bool has_row(const profile::Report& report, const std::string& name) {
  for (const profile::Row& r : report.rows)
    if (r.name == name) return true;
  return false;
}

double rows_total_s(const profile::Report& report) {
  double s = 0;
  for (const profile::Row& r : report.rows) s += r.total_s();
  return s;
}

void fake_work() { std::this_thread::sleep_for(std::chrono::milliseconds(2)); }
}  // namespace

TEST(Profile, CountsCallsPerName) {
  profile::start();
  for (int i = 0; i < 3; ++i) {
    ProfileScope scope("fake_op");
  }
  ProfileScope other("other_op");
  const profile::Report report = profile::stop();  // "other_op" is still open: not counted
  EXPECT_EQ(row(report, "fake_op").forward_calls, 3);
  EXPECT_EQ(row(report, "fake_op").backward_calls, 0);
  EXPECT_FALSE(has_row(report, "other_op"));
}

TEST(Profile, NestedScopeCountsOnlyItsSelfTimeAndRowsAddUpToTheWindow) {
  profile::start();
  {
    ProfileScope outer("outer");
    fake_work();
    {
      ProfileScope inner("inner");
      fake_work();
    }
  }
  fake_work();  // outside every scope: [rest]
  const profile::Report report = profile::stop();
  const profile::Row &outer = row(report, "outer"), &inner = row(report, "inner"), &rest = row(report, "[rest]");
  for (const profile::Row& r : report.rows) {
    EXPECT_GE(r.forward_s, 0) << r.name;
    EXPECT_GE(r.backward_s, 0) << r.name;
  }
  EXPECT_GT(inner.forward_s, 0);
  EXPECT_GT(rest.forward_s, 0);
  // With the inner time counted twice (outer's total), the rows would exceed the window by it.
  EXPECT_NEAR(outer.forward_s + inner.forward_s + rest.forward_s, report.wall_s, 1e-9);
  EXPECT_NEAR(rows_total_s(report), report.wall_s, 1e-9);
}

TEST(Profile, ScopeInsideABackwardScopeCountsAsBackward) {
  profile::start();
  {
    ProfileScope node("fake_op", profile::Phase::Backward);
    ProfileScope helper("helper_op");  // e.g. an op called by a backward function
  }
  {
    ProfileScope forward("fake_op");
  }
  const profile::Report report = profile::stop();
  EXPECT_EQ(row(report, "fake_op").forward_calls, 1);
  EXPECT_EQ(row(report, "fake_op").backward_calls, 1);
  EXPECT_EQ(row(report, "helper_op").forward_calls, 0);
  EXPECT_EQ(row(report, "helper_op").backward_calls, 1);
}

TEST(Profile, BytesGoToTheInnermostScopeAndPooledReuseCounts) {
  storage_pool::release();
  const std::size_t large = storage_pool::kMinPooledBytes * 2;
  profile::start();
  {
    ProfileScope outer("outer");
    storage_pool::deallocate(storage_pool::allocate(1000), 1000);
    {
      ProfileScope inner("inner", profile::Phase::Backward);
      storage_pool::deallocate(storage_pool::allocate(large), large);
      storage_pool::deallocate(storage_pool::allocate(large), large);  // the same block again, from the pool
    }
  }
  storage_pool::deallocate(storage_pool::allocate(24), 24);
  const profile::Report report = profile::stop();
  storage_pool::release();
  EXPECT_EQ(row(report, "outer").forward_bytes, 1000u);
  EXPECT_EQ(row(report, "inner").forward_bytes, 0u);
  EXPECT_EQ(row(report, "inner").backward_bytes, 2 * large);
  EXPECT_EQ(row(report, "[rest]").forward_bytes, 24u);
}

TEST(Profile, RecordsNothingOutsideAWindow) {
  {
    ProfileScope before("before");  // opened while off, closed while recording: not counted
    profile::start();
  }
  ProfileScope during("during");
  const profile::Report report = profile::stop();
  {
    ProfileScope after("after");
  }
  EXPECT_FALSE(profile::recording());
  EXPECT_EQ(report.rows.size(), 1u);  // [rest] alone
  EXPECT_EQ(report.rows[0].name, "[rest]");
  EXPECT_THROW(profile::stop(), std::logic_error);
}

TEST(Profile, EngineTimesEachNodeBackwardUnderItsOpName) {
  Rng rng(1);
  const Tensor x = Tensor::randn({4, 3}, rng).requires_grad_();
  const Tensor w = Tensor::randn({2, 3}, rng).requires_grad_();
  profile::start();
  Tensor loss = sum(relu(linear(x, w)));
  loss.backward();
  const profile::Report report = profile::stop();
  for (const char* op : {"linear", "relu", "sum"}) {
    EXPECT_EQ(row(report, op).forward_calls, 1) << op;
    EXPECT_EQ(row(report, op).backward_calls, 1) << op;
    EXPECT_GT(row(report, op).forward_bytes, 0u) << op;
  }
  EXPECT_EQ(row(report, "linear").backward_bytes, (4 * 3 + 2 * 3) * sizeof(float));  // dx and dW, written in place
  EXPECT_EQ(row(report, "[autograd engine]").backward_calls, 1);
  EXPECT_NEAR(rows_total_s(report), report.wall_s, 1e-9);
}

TEST(Profile, TableListsEveryRowLargestFirstAndATotal) {
  profile::start();
  {
    ProfileScope slow("slow_op");
    fake_work();
  }
  {
    ProfileScope quick("quick_op");
  }
  const profile::Report report = profile::stop();
  for (std::size_t i = 1; i < report.rows.size(); ++i)
    EXPECT_GE(report.rows[i - 1].total_s(), report.rows[i].total_s());
  const std::string table = profile::format_table(report, 1);
  EXPECT_NE(table.find("profile of 1 steps"), std::string::npos);
  for (const char* name : {"slow_op", "quick_op", "[rest]", "total"}) EXPECT_NE(table.find(name), std::string::npos) << name;
  EXPECT_LT(table.find("slow_op"), table.find("quick_op"));
}
