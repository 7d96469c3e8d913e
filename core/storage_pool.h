#pragma once
// Reuse of large array buffers from one training step to the next.
//
// A training step allocates the same arrays every time ([B, T, D] activations and their gradients,
// megabytes each) and frees them all by the end of backward. glibc hands such sizes back to the
// kernel (mmap'ed blocks, and the heap's top beyond its trim threshold), so every step paid one page
// fault per 4 KB page of every array again (figures: bench/README.md).
// The pool keeps freed buffers of at least kMinPooledBytes, filed by size class (eight per power
// of two), and hands them out again, so from the second step on the step's arrays come back without the kernel. It
// holds at most kMaxPooledBytes; beyond that, freed buffers go back to malloc. Thread-safe.
// Blocks from 1 KB up are pooled, not only the large ones: for those sizes glibc searches and sorts
// its large bins, lists as long as the heap has free chunks of distinct sizes. A trainer's heap,
// fragmented by the data set, has thousands: _int_malloc took 17 % of `recgrad train configs/din.json`.
//
// Every tensor's storage (Array<T>, core/tensor_impl.h) is allocated through PoolAllocator; while the
// profiler records (core/profile.h), each request counts to the innermost open scope.
#include <cstddef>
#include <vector>

namespace recgrad {

namespace storage_pool {
constexpr std::size_t kMinPooledBytes = std::size_t{1} << 10;    // smaller: glibc's tcache and small bins, O(1)
constexpr std::size_t kMaxPooledBytes = std::size_t{1} << 30;    // cap on the memory kept for reuse

void* allocate(std::size_t bytes);               // a pooled block of `bytes`' size class, else malloc
void deallocate(void* block, std::size_t bytes);  // into the pool, or free() when too small or full
std::size_t pooled_bytes();                      // bytes held for reuse right now
void release();                                  // frees every pooled block (e.g. before a phase of other sizes)
}  // namespace storage_pool

// A standard allocator over storage_pool, for xtensor containers.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(storage_pool::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { storage_pool::deallocate(p, n * sizeof(T)); }
};
template <class T, class U>
bool operator==(const PoolAllocator<T>&, const PoolAllocator<U>&) {
  return true;
}
template <class T, class U>
bool operator!=(const PoolAllocator<T>&, const PoolAllocator<U>&) {
  return false;
}

// A vector for a kernel's large temporaries ([B*T] positions and the like): from the second step on,
// its buffer comes back from the pool, not from malloc, which is slow to find blocks of this size in
// a heap fragmented by the data set's many small ones.
template <class T>
using PooledVector = std::vector<T, PoolAllocator<T>>;

}  // namespace recgrad
