// Mini-batches: padding and lengths, seeded order, and exact resume from a saved state.
#include <algorithm>
#include <set>

#include <gtest/gtest.h>

#include "data/batcher.h"
#include "tests/data/data_test_util.h"

using namespace recgrad;
using recgrad::testing::ThrowsNaming;
using Indices = std::vector<std::int64_t>;

namespace {

// Row r has target item 10 + r and a history of length r % 4: items 20 + r, 21 + r, ... most recent
// first; side info = item + 100; user 30 + r.
EncodedDataset dataset(std::size_t rows) {
  EncodedDataset data;
  data.side_fields = {"cate"};
  data.has_users = true;
  data.side_width = {1};
  data.target_side.resize(1);
  data.history_side.resize(1);
  for (std::size_t r = 0; r < rows; ++r) {
    const auto base = static_cast<std::int64_t>(r);
    data.labels.push_back(static_cast<double>(r % 2));
    data.users.push_back(30 + base);
    data.user_groups.push_back(base);
    data.target_item.push_back(10 + base);
    data.target_side[0].push_back(110 + base);
    Indices history, side;
    for (std::int64_t t = 0; t < base % 4; ++t) {
      history.push_back(20 + base + t);
      side.push_back(120 + base + t);
    }
    data.history_item.push_back(history);
    data.history_side[0].push_back(side);
  }
  return data;
}

// dataset(rows) plus a multi-valued field "genre" of width 2: row r's target cell is (200 + r, 0) for
// even r and (200 + r, 300 + r) for odd r; its history cells (210 + r + t, 0).
EncodedDataset with_genres(std::size_t rows) {
  EncodedDataset data = dataset(rows);
  data.side_fields.push_back("genre");
  data.side_width.push_back(2);
  data.target_side.emplace_back();
  data.history_side.emplace_back();
  for (std::size_t r = 0; r < rows; ++r) {
    const auto base = static_cast<std::int64_t>(r);
    data.target_side[1].insert(data.target_side[1].end(), {200 + base, r % 2 ? 300 + base : 0});
    Indices cells;
    for (std::int64_t t = 0; t < base % 4; ++t) cells.insert(cells.end(), {210 + base + t, 0});
    data.history_side[1].push_back(cells);
  }
  return data;
}

std::vector<std::vector<std::size_t>> epoch_rows(Batcher& batcher) {
  std::vector<std::vector<std::size_t>> rows;
  Batch batch;
  while (batcher.next(batch)) rows.push_back(batch.rows);
  return rows;
}

}  // namespace

TEST(MakeBatch, MultiValuedCellsKeepTheirWidth) {
  const EncodedDataset data = with_genres(4);
  const Batch batch = make_batch(data, {3, 0, 1});
  EXPECT_EQ(batch.side_width, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(batch.target_side[0], (Indices{113, 110, 111}));
  EXPECT_EQ(batch.target_side[1], (Indices{203, 303, /**/ 200, 0, /**/ 201, 301}));  // [B * W]
  // [B * T * W], T = 3: slot (b, t) at (b * T + t) * W; padded slots all 0
  EXPECT_EQ(batch.history_side[1], (Indices{213, 0, 214, 0, 215, 0, /**/ 0, 0, 0, 0, 0, 0, /**/ 211, 0, 0, 0, 0, 0}));
  EXPECT_EQ(batch.history_side[0], (Indices{123, 124, 125, /**/ 0, 0, 0, /**/ 121, 0, 0}));
  EXPECT_EQ(make_batch(data, {1}, 4).history_side[1], (Indices{211, 0, 0, 0, 0, 0, 0, 0}));  // pad_to
}

TEST(MakeBatch, SideWidthsMustMatchTheFields) {
  EncodedDataset data = dataset(3);
  data.side_width.clear();
  EXPECT_TRUE(ThrowsNaming([&] { make_batch(data, {0}); }, {"make_batch", "side widths"}));
}

TEST(MakeBatch, PadsToTheLongestHistoryWithZeros) {
  const EncodedDataset data = dataset(4);
  const Batch batch = make_batch(data, {3, 1, 0});
  EXPECT_EQ(batch.B, 3u);
  EXPECT_EQ(batch.T, 3u);
  EXPECT_EQ(batch.lengths, (std::vector<std::size_t>{3, 1, 0}));
  EXPECT_EQ(batch.target_item, (Indices{13, 11, 10}));
  EXPECT_EQ(batch.target_side[0], (Indices{113, 111, 110}));
  EXPECT_EQ(batch.history_item, (Indices{23, 24, 25, /**/ 21, 0, 0, /**/ 0, 0, 0}));
  EXPECT_EQ(batch.history_side[0], (Indices{123, 124, 125, /**/ 121, 0, 0, /**/ 0, 0, 0}));
  EXPECT_EQ(batch.labels, (std::vector<double>{1.0, 1.0, 0.0}));
  EXPECT_EQ(batch.user, (Indices{33, 31, 30}));
  EXPECT_EQ(batch.rows, (std::vector<std::size_t>{3, 1, 0}));
}

TEST(MakeBatch, AllEmptyHistoriesStillGetOnePaddedSlot) {
  const Batch batch = make_batch(dataset(5), {0, 4});
  EXPECT_EQ(batch.T, 1u);
  EXPECT_EQ(batch.history_item, (Indices{0, 0}));
  EXPECT_EQ(batch.lengths, (std::vector<std::size_t>{0, 0}));
}

TEST(MakeBatch, FixedLengthPadsFurtherAndRejectsLongerHistories) {
  const EncodedDataset data = dataset(4);
  const Batch batch = make_batch(data, {1}, 4);
  EXPECT_EQ(batch.T, 4u);
  EXPECT_EQ(batch.history_item, (Indices{21, 0, 0, 0}));
  EXPECT_TRUE(ThrowsNaming([&] { make_batch(data, {3}, 2); }, {"length 3", "pad_to = 2"}));
}

TEST(MakeBatch, WithoutUsersTheUserVectorIsEmpty) {
  EncodedDataset data = dataset(2);
  data.has_users = false;
  data.users.clear();
  EXPECT_TRUE(make_batch(data, {0, 1}).user.empty());
}

TEST(Batcher, AnEpochVisitsEveryRowOnceWithASmallerLastBatch) {
  const EncodedDataset data = dataset(10);
  Batcher batcher(data, {4, true, 1, 0});
  EXPECT_EQ(batcher.batches_per_epoch(), 3u);
  const auto batches = epoch_rows(batcher);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].size(), 2u);
  std::multiset<std::size_t> rows;
  for (const auto& b : batches) rows.insert(b.begin(), b.end());
  EXPECT_EQ(rows, (std::multiset<std::size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(batcher.epoch(), 1u);
}

TEST(Batcher, SameSeedSameOrderAndEachEpochReshuffles) {
  const EncodedDataset data = dataset(50);
  Batcher a(data, {8, true, 5, 0}), b(data, {8, true, 5, 0}), c(data, {8, true, 6, 0});
  const auto a0 = epoch_rows(a), a1 = epoch_rows(a);
  EXPECT_EQ(a0, epoch_rows(b));
  EXPECT_EQ(a1, epoch_rows(b));
  EXPECT_NE(a0, a1);
  EXPECT_NE(a0, epoch_rows(c));
}

TEST(Batcher, WithoutShuffleKeepsDatasetOrder) {
  const EncodedDataset data = dataset(5);
  Batcher batcher(data, {2, false, 0, 0});
  const std::vector<std::vector<std::size_t>> expected = {{0, 1}, {2, 3}, {4}};
  EXPECT_EQ(epoch_rows(batcher), expected);
  EXPECT_EQ(epoch_rows(batcher), expected);
}

TEST(Batcher, RestoredStateContinuesExactlyMidEpochAndAcrossEpochs) {
  const EncodedDataset data = dataset(23);
  Batcher reference(data, {5, true, 9, 0});
  std::vector<std::vector<std::size_t>> all;
  for (int epoch = 0; epoch < 3; ++epoch)
    for (const auto& rows : epoch_rows(reference)) all.push_back(rows);

  // Stop after every possible number of batches, save, restore into a fresh batcher, and finish.
  for (std::size_t stop = 0; stop <= 10; ++stop) {
    Batcher first(data, {5, true, 9, 0});
    std::vector<std::vector<std::size_t>> seen;
    Batch batch;
    while (seen.size() < stop)
      if (first.next(batch)) seen.push_back(batch.rows);
    const BatcherState state = first.state();

    Batcher resumed(data, {5, true, 9, 0});
    resumed.restore(state);
    while (resumed.epoch() < 3)
      if (resumed.next(batch)) seen.push_back(batch.rows);
    EXPECT_EQ(seen, all) << "stopped after " << stop << " batches";
  }
}

TEST(Batcher, RestoreRejectsAStateThatDoesNotFit) {
  const EncodedDataset data = dataset(5);
  Batcher batcher(data, {2, true, 0, 0});
  BatcherState state = batcher.state();
  state.position = 6;
  EXPECT_TRUE(ThrowsNaming([&] { batcher.restore(state); }, {"position 6", "5 rows"}));
  state.position = 0;
  state.epoch_rng_state = "not a state";
  EXPECT_TRUE(ThrowsNaming([&] { batcher.restore(state); }, {"malformed random state"}));
}

TEST(Batcher, ShardsSplitEachGlobalBatchInOrderAndMaySplitToNothing) {
  // Data-parallel ranks draw the same global batches and take rows [B i / n, B (i + 1) / n) of each.
  const EncodedDataset data = dataset(11);
  Batcher whole(data, {5, true, 3, 0});
  const auto global = epoch_rows(whole);  // batches of 5, 5, 1
  for (std::size_t n : {2u, 3u}) {
    std::vector<std::vector<std::vector<std::size_t>>> shards;  // [shard][batch]
    for (std::size_t i = 0; i < n; ++i) {
      Batcher shard(data, {5, true, 3, 0, i, n});
      shards.push_back(epoch_rows(shard));
    }
    for (std::size_t k = 0; k < global.size(); ++k) {
      std::vector<std::size_t> joined;
      for (std::size_t i = 0; i < n; ++i) {
        const auto& rows = shards[i][k];
        EXPECT_EQ(rows.size(), (global[k].size() * (i + 1)) / n - (global[k].size() * i) / n);
        joined.insert(joined.end(), rows.begin(), rows.end());
      }
      EXPECT_EQ(joined, global[k]) << "batch " << k << " in " << n << " shards";
    }
    EXPECT_TRUE(shards[0][2].empty());  // the last global batch has one row, which the last shard takes
  }
  Batcher shard(data, {5, true, 3, 0, 1, 2});
  Batch batch;
  shard.next(batch);
  EXPECT_EQ(shard.global_batch_size(), 5u);
  EXPECT_EQ(batch.B, 3u);
}

TEST(Batcher, RejectsAShardOutsideItsCount) {
  const EncodedDataset data = dataset(5);
  EXPECT_TRUE(ThrowsNaming([&] { Batcher(data, {2, true, 0, 0, 2, 2}); }, {"shard 2 of 2"}));
  EXPECT_TRUE(ThrowsNaming([&] { Batcher(data, {2, true, 0, 0, 0, 0}); }, {"shard 0 of 0"}));
}
