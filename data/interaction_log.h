#pragma once
// The common part of the importers (`recgrad prepare movielens|events`): a log of who acted on which
// item when, turned into recgrad's impressions, a train and a test TSV, and a config that trains on them.
//
// Each user's events are put in time order, ties broken by item id: numerically when both ids are
// numbers, byte-wise when neither is (in a log that mixes the two, numbers come first, so the order stays
// consistent), file order last. Every event but the user's first is an impression (the first would have
// an empty history): target = its item, label = whether the event is positive, history = all of the
// user's EARLIER events in that order, whatever their label, the most recent max_len of them, each with
// its feedback (what the user made of it: "liked" or "disliked", "pv" or "buy"), since the history
// alone says what a user watched, not what they liked. Of a user's n impressions the last
// round(test_fraction * n) are test (halves rounded up: 0.2 * 5 = 1, 0.5 * 3 = 1.5 -> 2, 0.2 * 2 = 0.4
// -> 0), the rest train. Users are written in order of first appearance, each user's rows in time order.
//
// The output folder OUT gets
//   train.tsv, test.tsv  columns  label user_id item_id <side> item_feedback timestamp
//                                 hist_item_ids <hist side> hist_feedback hist_timestamps
//                        (the timestamps, for model.position "time_gap", are named in the config below).
//                        item_feedback is always "candidate": an item's own feedback is unknown when it is
//                        scored, so all candidates share one learned vector, with the fields of a history entry.
//   recgrad.json         {"data": {"source": "tsv", "train": "train.tsv", "test": "test.tsv"}, "features": {the
//                        columns, side info = <side> and the feedback, the timestamps, max_len}, "model": {"attention":
//                        {"kind": "din"}}, (the defaults do the rest), "output": {"dir": "runs/<name>"}};
//                        paths in a config are relative to its folder.
// Written atomically: each file goes to <name>.tmp, and once all three are written and flushed to the
// disk they are renamed into place. On failure what was written is removed, and OUT itself (with any
// parent folder made for it) when it did not exist before.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/text.h"

namespace recgrad {

// Strings numbered 0, 1, ... in order of first appearance.
class Interner {
 public:
  std::uint32_t add(const std::string& key);  // the key's number, a new one if unseen
  const std::string& operator[](std::uint32_t number) const { return keys_[number]; }
  std::size_t size() const { return keys_.size(); }

 private:
  std::vector<std::string> keys_;
  std::unordered_map<std::string, std::uint32_t> numbers_;
};

// The cell item_feedback of every impression (see above); no history entry's feedback may be it.
inline constexpr char kCandidateFeedback[] = "candidate";

// 16 bytes an event (a log of 100M events is held whole): side and feedback share 32 bits with the label.
struct LogEvent {
  long long timestamp;
  std::uint32_t item;          // number in InteractionLog::items
  std::uint32_t side : 24;     // number in InteractionLog::sides: the item's side-info cell ("Comedy|Drama", a category)
  std::uint32_t feedback : 7;  // number in InteractionLog::feedbacks: its feedback as a history entry ("liked", "pv")
  std::uint32_t positive : 1;  // the label of the impression it makes
};
static_assert(sizeof(LogEvent) == 16, "LogEvent packs side, feedback and label into one 32-bit word");

struct InteractionLog {
  Interner users, items, sides, feedbacks;  // sides and feedbacks filled by add_side and add_feedback only
  std::vector<std::vector<LogEvent>> events;  // [user number], in file order

  void add(const std::string& user, const LogEvent& event);
  std::size_t size() const;  // events of all users

  // The number of a side-info cell, or of a feedback value, a new one if unseen. Throws lines.error
  // when a new one would not fit its LogEvent field (2^24 distinct cells, 128 distinct feedback values).
  std::uint32_t add_side(const std::string& cell, const TextLines& lines);
  std::uint32_t add_feedback(const std::string& value, const TextLines& lines);
};

// What the output is called: the side-info columns and the run folder of the written config.
struct LogColumns {
  std::string side, history_side;  // "item_genres", "hist_genres"
  std::string value_separator;     // between the values of one side cell ("|"), "" if single-valued
  std::string run_dir;             // output.dir of recgrad.json ("runs/movielens")
};

struct ImpressionOptions {
  double test_fraction = 0.2;  // in [0, 1)
  std::size_t max_len = 50;    // history entries kept, at least 1
};

// Throws std::invalid_argument when an option is out of range (run it before reading any input).
void check_options(const ImpressionOptions& options);

struct SplitCounts {
  std::size_t rows = 0, positives = 0;
};

struct PrepareSummary {
  std::string source;                            // what was read, for the report ("MovieLens 1M in ml-1m")
  std::size_t events = 0, users = 0, items = 0;  // in the input
  SplitCounts train, test;
  std::string train_path, test_path, config_path;
};

// Sorts each user's events and writes OUT as described above; the summary's source is left to the caller.
PrepareSummary write_prepared(InteractionLog& log, const LogColumns& columns, const ImpressionOptions& options,
                              const std::string& out_dir);

// The lines a command prints: what was read, per split the rows and positive rate, the files written.
std::string describe(const PrepareSummary& summary);

// The next line of an input file, false at its end. Throws "path:1: empty file" for a file without
// any line, and "path:N: empty line" for an empty line.
bool next_record(TextLines& lines, std::string& line);
// Reads the first line, which must be `header` exactly.
void expect_header(TextLines& lines, const std::string& header);

// Checks of input fields; each throws lines.error (file:line) naming `what`.
// An integer, possibly negative ("1511544070").
bool is_integer(const std::string& text);
long long parse_integer(const std::string& text, const TextLines& lines, const std::string& what);
// A non-empty value free of TAB, control characters, "," (the history separator) and `forbidden`.
const std::string& checked_value(const std::string& text, const TextLines& lines, const std::string& what,
                                 const std::string& forbidden = "");

}  // namespace recgrad
