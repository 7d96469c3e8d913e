#pragma once
// Training progress on stderr: a bar redrawn in place on a terminal (epoch, step, loss, samples/s,
// ETA), plain lines every few seconds when stderr is a file or a pipe (CI logs, notebooks).
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>

namespace recgrad {

class Progress {
 public:
  // out = nullptr: print nothing, only count (samples_per_second still works).
  Progress(std::size_t epochs, std::size_t steps_per_epoch, std::FILE* out = stderr);
  // After each step: `epoch` from 1, `step` within the epoch from 1, the running mean training loss.
  void update(std::size_t epoch, std::size_t step, double loss, std::size_t samples);
  void message(const char* line);  // a line that must not be overwritten by the bar (evaluations)
  // Samples counted over the time from construction to finish() (or to now, before finish()).
  double samples_per_second() const;
  void finish();  // stops the clock: what comes after (the summary's evaluations) is not training

 private:
  std::FILE* out_;
  bool terminal_;
  std::size_t epochs_, steps_per_epoch_;
  std::size_t samples_ = 0;
  bool bar_shown_ = false;
  std::chrono::steady_clock::time_point start_, last_print_;
  std::optional<std::chrono::steady_clock::time_point> end_;
};

}  // namespace recgrad
