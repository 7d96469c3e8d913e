#include "train/progress.h"

#include <unistd.h>

#include <fmt/core.h>

namespace recgrad {

Progress::Progress(std::size_t epochs, std::size_t steps_per_epoch, std::FILE* out)
    : out_(out),
      terminal_(out && isatty(fileno(out)) != 0),
      epochs_(epochs),
      steps_per_epoch_(steps_per_epoch),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::samples_per_second() const {
  const double s = std::chrono::duration<double>(end_.value_or(std::chrono::steady_clock::now()) - start_).count();
  return s > 0 ? samples_ / s : 0.0;
}

void Progress::update(std::size_t epoch, std::size_t step, double loss, std::size_t samples) {
  samples_ += samples;
  if (!out_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool last = step == steps_per_epoch_;
  // A terminal redraws ten times a second; a log gets a line every ten seconds and at epoch ends.
  const auto every = terminal_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(10000);
  if (!last && now - last_print_ < every) return;
  last_print_ = now;

  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::size_t done = (epoch - 1) * steps_per_epoch_ + step, total = epochs_ * steps_per_epoch_;
  const double eta = done ? elapsed * double(total - done) / double(done) : 0.0;
  const std::string stats = fmt::format("epoch {}/{} step {}/{} loss {:.4f} {:.0f} samples/s ETA {:.0f}s", epoch,
                                        epochs_, step, steps_per_epoch_, loss, samples_per_second(), eta);
  if (terminal_) {
    const int width = 24, filled = int(width * double(step) / double(steps_per_epoch_));
    fmt::print(out_, "\r[{:=<{}}{:<{}}] {}\x1b[K", "", filled, "", width - filled, stats);
    bar_shown_ = true;
    if (last) {
      fmt::print(out_, "\n");
      bar_shown_ = false;
    }
  } else {
    fmt::print(out_, "{}\n", stats);
  }
  std::fflush(out_);
}

void Progress::finish() { end_ = std::chrono::steady_clock::now(); }

void Progress::message(const char* line) {
  if (!out_) return;
  if (bar_shown_) fmt::print(out_, "\n");
  bar_shown_ = false;
  fmt::print(out_, "{}\n", line);
  std::fflush(out_);
}

}  // namespace recgrad
