#pragma once
// Where the time of a training step goes, per op, as torch.profiler's key_averages().
//
// Each op opens a scope named as its node at the top of its forward, in the spirit of PyTorch's
// RECORD_FUNCTION:
//   ProfileScope scope("prelu");
// and the autograd engine opens one with the node's name, marked backward, around each node's backward.
// Code that is not an op names itself in brackets: "[optimizer step]", "[batch building]".
//
// Between profile::start() and profile::stop() (on the calling thread) each scope adds to its name a call,
// its self time and the tensor bytes requested while it is the innermost scope (counted by the storage
// pool: core/storage_pool.h; a block the pool hands out again counts as much as a fresh one). Self time:
// a scope opened inside another (an op that calls an op) counts only to the innermost, so the names' times
// and "[rest]", the time no scope covered, add up to the wall time of the window.
// A scope inside a backward scope counts as backward.
//
// Off, a scope costs one test of a thread-local flag when it opens and one of its own flag when it closes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace recgrad {

namespace profile {
enum class Phase { Forward, Backward };

struct Row {
  std::string name;
  std::int64_t forward_calls = 0, backward_calls = 0;
  double forward_s = 0, backward_s = 0;               // self time
  std::size_t forward_bytes = 0, backward_bytes = 0;  // tensor storage requested
  double total_s() const { return forward_s + backward_s; }
};

struct Report {
  std::vector<Row> rows;  // one per name, and "[rest]"; largest total time first
  double wall_s = 0;      // start() to stop(): the rows' times add up to it
};

void start();          // clears the counts and starts recording on this thread
Report stop();         // stops recording; throws std::logic_error unless recording
bool recording();      // between start() and stop(), on this thread
// The report as one table, for a window of `steps` steps: times in ms, bytes in MB (10^6 bytes).
std::string format_table(const Report& report, std::int64_t steps);

namespace detail {
inline thread_local bool t_recording = false;
void open(const char* name, Phase phase);
void close();
void add_bytes(std::size_t bytes);
}  // namespace detail

// The storage pool's hook: `bytes` of tensor storage were requested.
inline void count_allocation(std::size_t bytes) {
  if (detail::t_recording) detail::add_bytes(bytes);
}
}  // namespace profile

// Times its lifetime under `name` while the profiler records (see above); `name` is copied when the scope
// closes, so it need only outlive the scope.
class ProfileScope {
 public:
  explicit ProfileScope(const char* name, profile::Phase phase = profile::Phase::Forward)
      : open_(profile::detail::t_recording) {
    if (open_) profile::detail::open(name, phase);
  }
  ~ProfileScope() {
    if (open_) profile::detail::close();
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  bool open_;
};

}  // namespace recgrad
