// Learning-rate schedules against torch.optim.lr_scheduler (tests/golden/optim.py, base lr 0.1), and
// PlateauLR against ReduceLROnPlateau on scripted metric sequences.
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "optim/schedule.h"
#include "tests/optim/optim_test_util.h"

namespace recgrad::testing {
namespace {

void expect_schedule(const Schedule& schedule, const std::string& golden_case) {
  const std::vector<double> expected = fixture_tensor("optim.json", golden_case).to_vector();
  for (std::size_t step = 0; step < expected.size(); ++step)
    EXPECT_NEAR(schedule.lr(static_cast<std::int64_t>(step)), expected[step], 1e-12) << "step " << step;
}

TEST(Schedule, StepDecayMatchesStepLR) { expect_schedule(StepDecayLR(0.1, 7, 0.5), "schedule_step_decay"); }

TEST(Schedule, LinearWarmupMatchesLinearLR) {
  expect_schedule(WarmupLR(5, 0.25, std::make_shared<ConstantLR>(0.1)), "schedule_linear_warmup");
}

TEST(Schedule, CosineMatchesCosineAnnealingLR) { expect_schedule(CosineLR(0.1, 25, 0.001), "schedule_cosine"); }

TEST(Schedule, WarmupCosineMatchesSequentialLR) {
  expect_schedule(WarmupLR(5, 0.25, std::make_shared<CosineLR>(0.1, 20, 0.001)), "schedule_warmup_cosine");
}

TEST(Schedule, ConstantIsConstant) {
  const ConstantLR constant(0.3);
  EXPECT_EQ(constant.lr(0), 0.3);
  EXPECT_EQ(constant.lr(1000000), 0.3);
}

TEST(Schedule, CosineStaysAtMinimumAfterTotalSteps) {
  const CosineLR cosine(0.1, 10, 0.002);
  EXPECT_DOUBLE_EQ(cosine.lr(10), 0.002);
  EXPECT_DOUBLE_EQ(cosine.lr(15), 0.002);
}

TEST(Schedule, BadArgumentsAreRejected) {
  EXPECT_THROW(ConstantLR(-0.1), std::invalid_argument);
  EXPECT_THROW(StepDecayLR(0.1, 0, 0.5), std::invalid_argument);
  EXPECT_THROW(StepDecayLR(0.1, 5, 0.0), std::invalid_argument);
  EXPECT_THROW(CosineLR(0.1, 0), std::invalid_argument);
  EXPECT_THROW(CosineLR(0.1, 10, 0.2), std::invalid_argument);
  EXPECT_THROW(WarmupLR(0, 0.5, std::make_shared<ConstantLR>(0.1)), std::invalid_argument);
  EXPECT_THROW(WarmupLR(5, 0.0, std::make_shared<ConstantLR>(0.1)), std::invalid_argument);
  EXPECT_THROW(WarmupLR(5, 0.5, nullptr), std::invalid_argument);
  EXPECT_THROW(ConstantLR(0.1).lr(-1), std::invalid_argument);
}

// The ReduceLROnPlateau cases of tests/golden/optim.py.
const std::vector<std::string> kPlateauCases = {"rise_then_plateau", "cooldown", "min_lr", "threshold",
                                                "patience_0",        "eps",      "nan",    "defaults"};

struct PlateauCase {
  std::vector<double> options;  // base_lr, factor, patience, threshold, cooldown, min_lr
  std::vector<double> metrics;  // NaN where torch got NaN
  std::vector<double> lrs;      // torch's lr after each step
  PlateauLR make() const {
    return PlateauLR(options[0], options[1], static_cast<std::int64_t>(options[2]), options[3],
                     static_cast<std::int64_t>(options[4]), options[5]);
  }
};

PlateauCase plateau_case(const std::string& name) {
  const std::string prefix = "plateau_" + name;
  PlateauCase c{fixture_tensor("optim.json", prefix + ".options").to_vector(),
                fixture_tensor("optim.json", prefix + ".metrics").to_vector(),
                fixture_tensor("optim.json", prefix + ".lrs").to_vector()};
  if (fixture("optim.json").at("cases").contains(prefix + ".nan")) {
    const std::vector<double> nan = fixture_tensor("optim.json", prefix + ".nan").to_vector();
    for (std::size_t i = 0; i < nan.size(); ++i)
      if (nan[i] != 0) c.metrics[i] = std::numeric_limits<double>::quiet_NaN();
  }
  return c;
}

TEST(PlateauLR, MatchesPyTorchReduceLROnPlateau) {
  for (const std::string& name : kPlateauCases) {
    const PlateauCase c = plateau_case(name);
    ASSERT_EQ(c.metrics.size(), c.lrs.size()) << name;
    PlateauLR plateau = c.make();
    EXPECT_EQ(plateau.lr(), c.options[0]) << name;
    for (std::size_t i = 0; i < c.metrics.size(); ++i) {
      EXPECT_EQ(plateau.step(c.metrics[i]), c.lrs[i]) << name << ", step " << i << ", metric " << c.metrics[i];
      EXPECT_EQ(plateau.lr(), c.lrs[i]) << name << ", step " << i;
    }
  }
}

TEST(PlateauLR, RestoredStateGivesTheSameLrsFromAnyStep) {
  for (const std::string& name : kPlateauCases) {
    const PlateauCase c = plateau_case(name);
    for (std::size_t split = 0; split <= c.metrics.size(); ++split) {
      PlateauLR first = c.make();
      for (std::size_t i = 0; i < split; ++i) first.step(c.metrics[i]);
      const PlateauState saved = first.state();
      PlateauLR resumed = c.make();
      resumed.restore(saved);
      EXPECT_EQ(resumed.lr(), saved.lr);
      for (std::size_t i = split; i < c.metrics.size(); ++i)
        EXPECT_EQ(resumed.step(c.metrics[i]), c.lrs[i]) << name << ", resumed after " << split << ", step " << i;
    }
  }
}

TEST(PlateauLR, StateHoldsTheCounters) {
  PlateauLR plateau(0.1, 0.5, 1, 0.0, 2);
  EXPECT_EQ(plateau.state().best, -std::numeric_limits<double>::infinity());
  plateau.step(0.7);
  plateau.step(std::nan(""));  // never better: best stays, one bad epoch
  EXPECT_EQ(plateau.state().best, 0.7);
  EXPECT_EQ(plateau.state().num_bad_epochs, 1);
  plateau.step(0.6);  // second bad epoch > patience 1: reduced, cooling down
  EXPECT_EQ(plateau.state().lr, 0.05);
  EXPECT_EQ(plateau.state().num_bad_epochs, 0);
  EXPECT_EQ(plateau.state().cooldown_counter, 2);
  plateau.step(0.6);
  EXPECT_EQ(plateau.state().cooldown_counter, 1);
  EXPECT_EQ(plateau.state().num_bad_epochs, 0);
}

TEST(PlateauLR, BadArgumentsAreRejectedOneLineEach) {
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(-0.1); }, {"PlateauLR: base_lr must be >= 0 and finite, got -0.1"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 1.0); }, {"PlateauLR: factor must be in [0, 1), got 1"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, -0.5); }, {"factor must be in [0, 1), got -0.5"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, std::nan("")); }, {"factor must be in [0, 1)"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 0.1, -1); }, {"PlateauLR: patience must be >= 0, got -1"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 0.1, 10, -1e-4); }, {"PlateauLR: threshold must be >= 0"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 0.1, 10, 1e-4, -2); }, {"PlateauLR: cooldown must be >= 0, got -2"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 0.1, 10, 1e-4, 0, 0.2); },
                           {"PlateauLR: min_lr must be in [0, base_lr], got 0.2"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 0.1, 10, 1e-4, 0, -0.001); }, {"min_lr must be in [0, base_lr]"}));
  EXPECT_TRUE(ThrowsNaming([] { PlateauLR(0.1, 0.1, 10, 1e-4, 0, 0.0, -1e-8); }, {"PlateauLR: eps must be >= 0"}));
  EXPECT_NO_THROW(PlateauLR(0.1, 0.0, 0, 0.0, 0, 0.1, 0.0));  // the edges that are allowed
}

TEST(PlateauLR, BadStateIsRejectedAndLeavesTheScheduleAsItWas) {
  PlateauLR plateau(0.1);
  plateau.step(0.7);
  const PlateauState good = plateau.state();
  PlateauState bad = good;
  bad.lr = -1;
  EXPECT_TRUE(ThrowsNaming([&] { plateau.restore(bad); }, {"PlateauLR state: lr must be >= 0 and finite, got -1"}));
  bad = good;
  bad.best = std::nan("");
  EXPECT_TRUE(ThrowsNaming([&] { plateau.restore(bad); }, {"PlateauLR state: best must be a number"}));
  bad = good;
  bad.num_bad_epochs = -1;
  EXPECT_TRUE(ThrowsNaming([&] { plateau.restore(bad); }, {"PlateauLR state: num_bad_epochs must be >= 0"}));
  bad = good;
  bad.cooldown_counter = -3;
  EXPECT_TRUE(ThrowsNaming([&] { plateau.restore(bad); }, {"PlateauLR state: cooldown_counter must be >= 0"}));
  EXPECT_EQ(plateau.state().lr, good.lr);
  EXPECT_EQ(plateau.state().best, good.best);
  EXPECT_EQ(plateau.state().num_bad_epochs, good.num_bad_epochs);
}

}  // namespace
}  // namespace recgrad::testing
