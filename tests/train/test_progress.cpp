// Progress's samples/s: samples over the time since it started, frozen by finish() so that the
// summary's evaluations after training do not count as training time.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "train/progress.h"

using namespace recgrad;

TEST(Progress, SamplesPerSecondRunsOnUntilFinishAndStaysThereAfter) {
  Progress progress(1, 10, nullptr);
  progress.update(1, 1, 0.5, 256);
  const double running = progress.samples_per_second();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_LT(progress.samples_per_second(), running);  // the clock still runs
  progress.finish();
  const double finished = progress.samples_per_second();
  EXPECT_GT(finished, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(progress.samples_per_second(), finished);
}
