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

TEST(StoragePool, SizesWithinOneClassShareBlocksAndOthersDoNot) {
  storage_pool::release();
  const std::size_t bytes = std::size_t{1} << 20;  // classes of 128 KiB between 1 and 2 MiB
  void* first = storage_pool::allocate(bytes + 1000);
  storage_pool::deallocate(first, bytes + 1000);
  void* near = storage_pool::allocate(bytes + 100000);  // same class: the same block
  EXPECT_EQ(near, first);
  storage_pool::deallocate(near, bytes + 100000);
  void* far = storage_pool::allocate(bytes + 200000);   // the next class: a new block
  EXPECT_NE(far, first);
  EXPECT_EQ(storage_pool::pooled_bytes(), bytes + (bytes >> 3));
  storage_pool::deallocate(far, bytes + 200000);
  storage_pool::release();
}

TEST(StoragePool, SmallBlocksAreNotPooled) {
  storage_pool::release();
  void* small = storage_pool::allocate(storage_pool::kMinPooledBytes - 1);
  storage_pool::deallocate(small, storage_pool::kMinPooledBytes - 1);
  EXPECT_EQ(storage_pool::pooled_bytes(), 0u);
}

TEST(StoragePool, BlocksOfAFewKilobytesArePooledToo) {
  // A [256, 4] float32 activation: 4 KiB, a size glibc is slow to find in a heap fragmented by a data set.
  storage_pool::release();
  { const Tensor a = Tensor::ones({256, 4}); }
  EXPECT_EQ(storage_pool::pooled_bytes(), 4096u);
  storage_pool::release();
}

TEST(StoragePool, PooledVectorBuffersComeBackFromThePool) {
  storage_pool::release();
  const std::size_t n = 4096;  // 32 KiB
  const std::size_t* first = nullptr;
  {
    const PooledVector<std::size_t> v(n);
    first = v.data();
  }
  EXPECT_EQ(storage_pool::pooled_bytes(), n * sizeof(std::size_t));
  const PooledVector<std::size_t> again(n);
  EXPECT_EQ(again.data(), first);
  storage_pool::release();
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
