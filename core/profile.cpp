#include "core/profile.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string_view>

#include <fmt/core.h>

namespace recgrad::profile {

namespace {
using Clock = std::chrono::steady_clock;

struct Frame {
  const char* name;
  Phase phase;
  Clock::time_point start;
  Clock::duration children{};  // the time of the scopes opened inside this one
  std::size_t bytes = 0;
};

struct Counts {
  std::int64_t calls[2] = {0, 0};  // by Phase
  Clock::duration time[2] = {};
  std::size_t bytes[2] = {0, 0};
};

struct Recorder {
  std::vector<Frame> open;                         // the scopes open now, innermost last
  std::map<std::string, Counts, std::less<>> by_name;
  std::size_t unscoped_bytes = 0;
  Clock::time_point start;
};
thread_local Recorder t_recorder;

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

void start() {
  t_recorder = Recorder{};
  t_recorder.start = Clock::now();
  detail::t_recording = true;
}

bool recording() { return detail::t_recording; }

Report stop() {
  if (!detail::t_recording) throw std::logic_error("profile::stop: the profiler is not recording (no start())");
  detail::t_recording = false;
  Recorder& r = t_recorder;
  Report report;
  report.wall_s = seconds(Clock::now() - r.start);
  double scoped_s = 0;
  for (const auto& [name, c] : r.by_name) {
    Row row{name, c.calls[0], c.calls[1], seconds(c.time[0]), seconds(c.time[1]), c.bytes[0], c.bytes[1]};
    scoped_s += row.total_s();
    report.rows.push_back(std::move(row));
  }
  Row rest{"[rest]"};
  rest.forward_s = std::max(report.wall_s - scoped_s, 0.0);  // self times are disjoint: the max only guards rounding
  rest.forward_bytes = r.unscoped_bytes;
  report.rows.push_back(rest);
  std::stable_sort(report.rows.begin(), report.rows.end(),
                   [](const Row& a, const Row& b) { return a.total_s() > b.total_s(); });
  t_recorder = Recorder{};
  return report;
}

namespace detail {
void open(const char* name, Phase phase) {
  Recorder& r = t_recorder;
  if (!r.open.empty() && r.open.back().phase == Phase::Backward) phase = Phase::Backward;
  r.open.push_back({name, phase, Clock::now()});
}

void close() {
  Recorder& r = t_recorder;
  if (r.open.empty()) return;  // opened before a stop() (or a start()) that cleared the record
  const Frame f = r.open.back();
  r.open.pop_back();
  const Clock::duration total = Clock::now() - f.start;
  if (!r.open.empty()) r.open.back().children += total;
  auto it = r.by_name.find(std::string_view(f.name));
  if (it == r.by_name.end()) it = r.by_name.emplace(f.name, Counts{}).first;
  const int p = int(f.phase);
  ++it->second.calls[p];
  it->second.time[p] += total - f.children;
  it->second.bytes[p] += f.bytes;
}

void add_bytes(std::size_t bytes) {
  Recorder& r = t_recorder;
  (r.open.empty() ? r.unscoped_bytes : r.open.back().bytes) += bytes;
}
}  // namespace detail

std::string format_table(const Report& report, std::int64_t steps) {
  const double ms = 1e3, mb = 1e-6;
  const double share = report.wall_s > 0 ? 100 / report.wall_s : 0.0;
  auto line = [&](const Row& row, const std::string& calls, const std::string& mean_us) {
    return fmt::format("{:<22} {:>8} {:>12.2f} {:>12.2f} {:>10.2f} {:>13} {:>6.1f}% {:>13.2f} {:>13.2f}\n", row.name,
                       calls, row.forward_s * ms, row.backward_s * ms, row.total_s() * ms, mean_us,
                       row.total_s() * share, double(row.forward_bytes) * mb, double(row.backward_bytes) * mb);
  };
  std::string out = fmt::format(
      "profile of {} steps: {:.1f} ms, {:.2f} ms per step. Self time: a scope inside another counts only to the "
      "innermost.\n[name]: not an op; [rest]: time outside every scope. calls: forward calls (each with its "
      "backward); alloc: tensor storage requested.\n",
      steps, report.wall_s * ms, steps > 0 ? report.wall_s * ms / double(steps) : 0.0);
  out += fmt::format("{:<22} {:>8} {:>12} {:>12} {:>10} {:>13} {:>7} {:>13} {:>13}\n", "name", "calls", "forward ms",
                     "backward ms", "total ms", "mean us/call", "share", "alloc fwd MB", "alloc bwd MB");
  Row sum{"total"};
  for (const Row& row : report.rows) {
    const std::int64_t calls = row.forward_calls > 0 ? row.forward_calls : row.backward_calls;
    out += calls > 0 ? line(row, std::to_string(calls), fmt::format("{:.1f}", row.total_s() / double(calls) * 1e6))
                     : line(row, "-", "-");
    sum.forward_s += row.forward_s;
    sum.backward_s += row.backward_s;
    sum.forward_bytes += row.forward_bytes;
    sum.backward_bytes += row.backward_bytes;
  }
  return out + line(sum, "", "");
}

}  // namespace recgrad::profile
