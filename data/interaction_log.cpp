#include "data/interaction_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "data/split.h"
#include "data/tsv_writer.h"

namespace recgrad {
namespace fs = std::filesystem;

namespace {

const char* const kItemFeedback = "item_feedback";
const char* const kHistFeedback = "hist_feedback";
const char* const kTimestamp = "timestamp";
const char* const kHistTimestamps = "hist_timestamps";
// How many distinct values the LogEvent fields hold.
const std::size_t kMaxSides = std::size_t{1} << 24, kMaxFeedbacks = std::size_t{1} << 7;

bool is_number(const std::string& id) {
  return !id.empty() && id.find_first_not_of("0123456789") == std::string::npos;
}

// Numbers by value (then as written: "01" before "1"), before other ids, which go byte-wise.
bool id_less(const std::string& a, const std::string& b) {
  const bool a_number = is_number(a), b_number = is_number(b);
  if (a_number != b_number) return a_number;
  if (a_number) {
    const std::string_view a_digits = std::string_view(a).substr(std::min(a.find_first_not_of('0'), a.size()));
    const std::string_view b_digits = std::string_view(b).substr(std::min(b.find_first_not_of('0'), b.size()));
    if (a_digits.size() != b_digits.size()) return a_digits.size() < b_digits.size();
    if (a_digits != b_digits) return a_digits < b_digits;
  }
  return a < b;
}

// rank[item] = the item's place among all item ids in id_less order, so sorting compares numbers.
std::vector<std::uint32_t> id_ranks(const Interner& items) {
  std::vector<std::uint32_t> order(items.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return id_less(items[a], items[b]); });
  std::vector<std::uint32_t> rank(items.size());
  for (std::uint32_t place = 0; place < order.size(); ++place) rank[order[place]] = place;
  return rank;
}

void sort_by_time(std::vector<LogEvent>& events, const std::vector<std::uint32_t>& rank) {
  std::stable_sort(events.begin(), events.end(), [&](const LogEvent& a, const LogEvent& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : rank[a.item] < rank[b.item];
  });
}

// The written columns: the feedback and the timestamps ride as further side-info fields, which keeps
// them aligned with the history and puts them right after the genres (or category) in the header.
Schema written_schema(const LogColumns& columns, std::size_t max_len) {
  Schema schema;
  schema.user = "user_id";
  schema.item = "item_id";
  schema.item_side = {columns.side, kItemFeedback, kTimestamp};
  schema.history = "hist_item_ids";
  schema.history_side = {columns.history_side, kHistFeedback, kHistTimestamps};
  schema.max_len = max_len;
  return schema;
}

RawDataset empty_dataset(const Schema& schema) {
  RawDataset data;
  data.side_fields = schema.item_side;
  data.has_users = true;
  data.target_side.resize(schema.item_side.size());
  data.history_side.resize(schema.history_side.size());
  return data;
}

// One user's impressions (events sorted), the last test_count of them in `test`.
void add_user(const InteractionLog& log, std::uint32_t user, const ImpressionOptions& options, DataSplit& split) {
  const std::vector<LogEvent>& events = log.events[user];
  const std::size_t impressions = events.empty() ? 0 : events.size() - 1;
  const auto test_count = static_cast<std::size_t>(std::llround(options.test_fraction * double(impressions)));
  for (std::size_t k = 1; k < events.size(); ++k) {
    RawDataset& data = k + test_count < events.size() ? split.train : split.test;
    data.labels.push_back(events[k].positive ? 1.0 : 0.0);
    data.users.push_back(log.users[user]);
    data.target_item.push_back(log.items[events[k].item]);
    data.target_side[0].push_back(log.sides[events[k].side]);
    data.target_side[1].push_back(kCandidateFeedback);
    data.target_side[2].push_back(std::to_string(events[k].timestamp));
    std::vector<std::string> items, sides, feedback, times;
    for (std::size_t j = k - std::min(k, options.max_len); j < k; ++j) {
      items.push_back(log.items[events[j].item]);
      sides.push_back(log.sides[events[j].side]);
      feedback.push_back(log.feedbacks[events[j].feedback]);
      times.push_back(std::to_string(events[j].timestamp));
    }
    data.history_item.push_back(std::move(items));
    data.history_side[0].push_back(std::move(sides));
    data.history_side[1].push_back(std::move(feedback));
    data.history_side[2].push_back(std::move(times));
  }
}

void count(const RawDataset& data, SplitCounts& counts) {
  counts.rows += data.size();
  counts.positives += static_cast<std::size_t>(std::count(data.labels.begin(), data.labels.end(), 1.0));
}

std::string config_text(const LogColumns& columns, std::size_t max_len) {
  nlohmann::ordered_json config;
  config["data"] = {{"source", "tsv"}, {"train", "train.tsv"}, {"test", "test.tsv"}};
  nlohmann::ordered_json& features = config["features"];
  features["label"] = "label";
  features["user"] = "user_id";
  features["item"] = "item_id";
  features["item_side"] = nlohmann::ordered_json::array({columns.side, kItemFeedback});
  features["history"] = "hist_item_ids";
  features["history_side"] = nlohmann::ordered_json::array({columns.history_side, kHistFeedback});
  features["separator"] = ",";
  features["order"] = "oldest_first";
  features["max_len"] = max_len;
  if (!columns.value_separator.empty()) features["multi_valued"] = {{columns.side, columns.value_separator}};
  features["timestamp"] = kTimestamp;  // read for model.position "time_gap"
  features["history_timestamps"] = kHistTimestamps;
  config["model"] = {{"attention", {{"kind", "din"}}}};  // the defaults do the rest (docs/real-data.md)
  config["output"] = {{"dir", columns.run_dir}};
  return config.dump(2) + "\n";
}

// Flushes a file (or a folder: its entries) to the disk.
void sync_to_disk(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  const int err = fd < 0 || ::fsync(fd) != 0 ? errno : 0;
  if (fd >= 0) ::close(fd);
  if (err != 0) throw std::runtime_error(path + ": cannot flush to disk: " + std::strerror(err));
}

// The output folder while the files go in: each is staged as <name>.tmp, commit() renames them all
// into place, discard() removes what this run put there (and the folder when it made it).
class OutputFolder {
 public:
  explicit OutputFolder(const std::string& dir) : dir_(dir) {
    const fs::path target = fs::absolute(dir).lexically_normal();
    fs::path top;  // the outermost folder that does not exist yet
    for (fs::path p = target; !p.empty() && !fs::exists(p) && p != p.parent_path(); p = p.parent_path()) top = p;
    created_ = top;
    std::error_code error;
    fs::create_directories(target, error);
    if (error || !fs::is_directory(target)) {
      discard();
      throw std::runtime_error(dir + ": cannot create the folder" + (error ? ": " + error.message() : ""));
    }
  }

  std::string stage(const std::string& name) {
    names_.push_back(name);
    return path(name) + ".tmp";
  }

  void commit() {
    for (const std::string& name : names_) sync_to_disk(path(name) + ".tmp", O_RDONLY);
    for (const std::string& name : names_) {
      std::error_code error;
      fs::rename(path(name) + ".tmp", path(name), error);
      if (error) throw std::runtime_error(path(name) + ": cannot replace with " + name + ".tmp: " + error.message());
      renamed_.push_back(name);
    }
    sync_to_disk(dir_, O_RDONLY | O_DIRECTORY);
  }

  void discard() noexcept {
    std::error_code error;
    if (!created_.empty()) {
      fs::remove_all(created_, error);
      return;
    }
    for (const std::string& name : names_)
      if (fs::is_regular_file(path(name) + ".tmp", error)) fs::remove(path(name) + ".tmp", error);
    for (const std::string& name : renamed_) fs::remove(path(name), error);
  }

 private:
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  fs::path created_;
  std::vector<std::string> names_, renamed_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(path + ": cannot write");
}

// The key's number in `numbers`, a new one if unseen; a number past `limit` is an error naming `what`.
std::uint32_t add_within(Interner& numbers, const std::string& key, std::size_t limit, const TextLines& lines,
                         const std::string& what) {
  const std::uint32_t number = numbers.add(key);
  if (number >= limit) throw lines.error("more than " + std::to_string(limit) + " distinct " + what);
  return number;
}

std::string percent(std::size_t part, std::size_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", whole == 0 ? 0.0 : 100.0 * double(part) / double(whole));
  return text;
}

}  // namespace

std::uint32_t Interner::add(const std::string& key) {
  auto [it, is_new] = numbers_.emplace(key, static_cast<std::uint32_t>(keys_.size()));
  if (is_new) keys_.push_back(key);
  return it->second;
}

void InteractionLog::add(const std::string& user, const LogEvent& event) {
  const std::uint32_t number = users.add(user);
  if (number == events.size()) events.emplace_back();
  events[number].push_back(event);
}

std::size_t InteractionLog::size() const {
  std::size_t total = 0;
  for (const auto& user_events : events) total += user_events.size();
  return total;
}

std::uint32_t InteractionLog::add_side(const std::string& cell, const TextLines& lines) {
  return add_within(sides, cell, kMaxSides, lines, "side-info cells");
}

std::uint32_t InteractionLog::add_feedback(const std::string& value, const TextLines& lines) {
  return add_within(feedbacks, value, kMaxFeedbacks, lines, "feedback values");
}

void check_options(const ImpressionOptions& options) {
  if (!(options.test_fraction >= 0.0 && options.test_fraction < 1.0))
    throw std::invalid_argument("prepare: the test fraction must be in [0, 1), got " +
                                std::to_string(options.test_fraction));
  if (options.max_len == 0) throw std::invalid_argument("prepare: max_len must be at least 1");
}

PrepareSummary write_prepared(InteractionLog& log, const LogColumns& columns, const ImpressionOptions& options,
                              const std::string& out_dir) {
  check_options(options);
  PrepareSummary summary;
  summary.events = log.size();
  summary.users = log.users.size();
  summary.items = log.items.size();
  const std::vector<std::uint32_t> rank = id_ranks(log.items);
  const Schema schema = written_schema(columns, options.max_len);
  OutputFolder out(out_dir);
  try {
    // Written user by user, so memory holds the log but never all histories at once.
    TsvWriter train(out.stage("train.tsv"), schema, true), test(out.stage("test.tsv"), schema, true);
    for (std::uint32_t user = 0; user < log.events.size(); ++user) {
      sort_by_time(log.events[user], rank);
      DataSplit split{empty_dataset(schema), empty_dataset(schema)};
      add_user(log, user, options, split);
      count(split.train, summary.train);
      count(split.test, summary.test);
      train.write(split.train);
      test.write(split.test);
    }
    train.close();
    test.close();
    write_text(out.stage("recgrad.json"), config_text(columns, options.max_len));
    out.commit();
  } catch (...) {
    out.discard();
    throw;
  }
  summary.train_path = out_dir + "/train.tsv";
  summary.test_path = out_dir + "/test.tsv";
  summary.config_path = out_dir + "/recgrad.json";
  return summary;
}

std::string describe(const PrepareSummary& s) {
  std::string text = s.source + ": " + std::to_string(s.events) + " events, " + std::to_string(s.users) +
                     " users, " + std::to_string(s.items) + " items\n";
  text += "train: " + std::to_string(s.train.rows) + " rows, " + percent(s.train.positives, s.train.rows) + " positive\n";
  text += "test:  " + std::to_string(s.test.rows) + " rows, " + percent(s.test.positives, s.test.rows) + " positive\n";
  return text + "wrote " + s.train_path + ", " + s.test_path + " and " + s.config_path + "\n";
}

bool next_record(TextLines& lines, std::string& line) {
  if (!lines.next(line)) {
    if (lines.line_number() == 0) throw std::invalid_argument(lines.path() + ":1: empty file");
    return false;
  }
  if (line.empty()) throw lines.error("empty line");
  return true;
}

void expect_header(TextLines& lines, const std::string& header) {
  std::string line;
  next_record(lines, line);
  if (line != header) throw lines.error("expected the header '" + header + "', found '" + line + "'");
}

bool is_integer(const std::string& text) {
  const std::size_t sign = !text.empty() && text[0] == '-' ? 1 : 0;
  return text.size() > sign && text.find_first_not_of("0123456789", sign) == std::string::npos;
}

long long parse_integer(const std::string& text, const TextLines& lines, const std::string& what) {
  if (!is_integer(text))
    throw lines.error(what + " must be an integer, found '" + text + "'");
  try {
    return std::stoll(text);
  } catch (const std::out_of_range&) {
    throw lines.error(what + " '" + text + "' is too large");
  }
}

const std::string& checked_value(const std::string& text, const TextLines& lines, const std::string& what,
                                 const std::string& forbidden) {
  if (text.empty()) throw lines.error("empty " + what);
  const bool control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7F;
  });
  if (control || text.find_first_of("," + forbidden) != std::string::npos) {
    std::string quoted;
    for (char c : "," + forbidden) quoted += std::string(" '") + c + "',";
    throw lines.error(what + " '" + text + "' holds one of" + quoted + " a TAB or a control character");
  }
  return text;
}

}  // namespace recgrad
