#include "core/storage_pool.h"

#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "core/profile.h"

// Pooled blocks are poisoned, so AddressSanitizer still reports a use of a freed tensor buffer
// (the macros do nothing in other builds).
#include <sanitizer/asan_interface.h>

namespace recgrad::storage_pool {

namespace {
struct Pool {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;  // by size class in bytes
  std::size_t bytes = 0;
};

// Never destroyed: arrays in static storage may be freed after any static pool would be gone.
// Pooled blocks stay reachable from here, so leak checkers do not report them.
Pool& pool() {
  static Pool* instance = new Pool;
  return *instance;
}

// Requests are rounded up to one of eight sizes per power of two (at most 12.5 % more), so arrays whose
// size moves a little from batch to batch (DIN scores only the real history positions) share blocks
// instead of each filing a size of its own until the cap.
std::size_t size_class(std::size_t bytes) {
  std::size_t octave = 1;
  while (octave <= bytes / 2) octave *= 2;  // the largest power of two <= bytes
  const std::size_t step = octave / 8;
  return (bytes + step - 1) / step * step;
}

void* malloc_or_throw(std::size_t bytes) {
  void* block = std::malloc(bytes == 0 ? 1 : bytes);
  if (block == nullptr) throw std::bad_alloc();
  return block;
}
}  // namespace

void* allocate(std::size_t bytes) {
  profile::count_allocation(bytes);  // the bytes requested, from the pool or not
  if (bytes < kMinPooledBytes) return malloc_or_throw(bytes);
  const std::size_t block_bytes = size_class(bytes);
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.free_blocks.find(block_bytes);
  if (it == p.free_blocks.end() || it->second.empty()) return malloc_or_throw(block_bytes);
  void* block = it->second.back();
  it->second.pop_back();
  p.bytes -= block_bytes;
  ASAN_UNPOISON_MEMORY_REGION(block, bytes);  // the tail beyond the request stays poisoned
  return block;
}

void deallocate(void* block, std::size_t bytes) {
  if (block == nullptr) return;
  if (bytes >= kMinPooledBytes) {
    bytes = size_class(bytes);
    Pool& p = pool();
    std::lock_guard<std::mutex> lock(p.mutex);
    if (p.bytes + bytes <= kMaxPooledBytes) {
      ASAN_POISON_MEMORY_REGION(block, bytes);
      p.free_blocks[bytes].push_back(block);
      p.bytes += bytes;
      return;
    }
  }
  std::free(block);
}

std::size_t pooled_bytes() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.bytes;
}

void release() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (auto& [size, blocks] : p.free_blocks)
    for (void* block : blocks) {
      ASAN_UNPOISON_MEMORY_REGION(block, size);
      std::free(block);
    }
  p.free_blocks.clear();
  p.bytes = 0;
}

}  // namespace recgrad::storage_pool
