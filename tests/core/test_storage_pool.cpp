// The storage pool behind every tensor's buffer: large freed blocks come back for the next request
// of the same size, small ones and those beyond the cap go back to malloc.
#include <gtest/gtest.h>

#include "core/storage_pool.h"
#include "core/tensor.h"

using namespace recgrad;

TEST(StoragePool, FreedLargeBlockIsHandedOutAgainForTheSameSize) {
  storage_pool::release();
  const std::size_t bytes = storage_pool::kMinPooledBytes * 3;
  void* first = storage_pool::allocate(bytes);
  storage_pool::deallocate(first, bytes);
  EXPECT_EQ(storage_pool::pooled_bytes(), bytes);
  void* again = storage_pool::allocate(bytes);
  EXPECT_EQ(again, first);
  EXPECT_EQ(storage_pool::pooled_bytes(), 0u);
  storage_pool::deallocate(again, bytes);
  storage_pool::release();
  EXPECT_EQ(storage_pool::pooled_bytes(), 0u);
}

TEST(StoragePool, SmallBlocksAreNotPooled) {
  storage_pool::release();
  void* small = storage_pool::allocate(storage_pool::kMinPooledBytes - 1);
  storage_pool::deallocate(small, storage_pool::kMinPooledBytes - 1);
  EXPECT_EQ(storage_pool::pooled_bytes(), 0u);
}

TEST(StoragePool, TensorsReuseTheBuffersOfTensorsFreedBefore) {
  storage_pool::release();
  const Shape shape{256, 128};  // 128 KiB of float32: pooled
  const float* first = nullptr;
  {
    const Tensor a = Tensor::ones(shape);
    first = a.data<float>();
  }
  const Tensor b = Tensor::zeros(shape);
  EXPECT_EQ(b.data<float>(), first);
  EXPECT_EQ(b.to_vector(), std::vector<double>(numel(shape), 0.0));  // filled anew, not the old values
  storage_pool::release();
}
