#pragma once
// Helpers for the data tests: small files written on the spot, and checks on error messages.
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "data/dataset.h"
#include "data/synthetic.h"
#include "tests/test_util.h"

namespace recgrad::testing {

// A synthetic data set small enough for a unit test: 400 impressions of 50 users over 60 items.
inline SyntheticConfig small_synthetic_config() {
  SyntheticConfig config;
  config.num_users = 50;
  config.num_items = 60;
  config.num_categories = 6;
  config.num_brands = 12;
  config.impressions = 400;
  config.max_history = 8;
  config.seed = 7;
  return config;
}

// A fresh directory for the current test (removed and re-created), under gtest's temp dir.
inline std::string test_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / "recgrad_data" / info->test_suite_name() / info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

inline std::string write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}


// Every role column of two raw datasets is equal (for round trips and determinism checks).
inline void expect_same_columns(const RawDataset& actual, const RawDataset& expected) {
  EXPECT_EQ(actual.labels, expected.labels);
  EXPECT_EQ(actual.users, expected.users);
  EXPECT_EQ(actual.target_item, expected.target_item);
  EXPECT_EQ(actual.target_side, expected.target_side);
  EXPECT_EQ(actual.history_item, expected.history_item);
  EXPECT_EQ(actual.history_side, expected.history_side);
}

}  // namespace recgrad::testing
