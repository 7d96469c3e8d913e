// Learning-rate schedules against torch.optim.lr_scheduler (tests/golden/optim.py, base lr 0.1).
#include <memory>
#include <stdexcept>

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

}  // namespace
}  // namespace recgrad::testing
