#include "data/events.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <vector>

#include "data/text.h"

namespace recgrad {
namespace {

const char* const kColumns = "user,item,category,behaviour,timestamp";

// A first line that names the columns (see events.h) rather than holding an event.
bool is_header(const std::vector<std::string>& fields) {
  static const std::vector<std::vector<std::string>> names = {
      {"user"}, {"item"}, {"cat"}, {"behav", "type", "action"}, {"time", "ts"}};
  if (fields.size() != names.size() || is_integer(fields.back())) return false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string field = fields[i];
    std::transform(field.begin(), field.end(), field.begin(), [](unsigned char c) { return std::tolower(c); });
    if (std::none_of(names[i].begin(), names[i].end(),
                     [&](const std::string& name) { return field.find(name) != std::string::npos; }))
      return false;
  }
  return true;
}

// A behaviour, which is also the feedback of its event in later histories: a value (checked_value)
// other than the candidate's own feedback cell.
const std::string& checked_behaviour(const std::string& text, const TextLines& lines) {
  if (checked_value(text, lines, "behaviour") == kCandidateFeedback)
    throw lines.error("behaviour '" + text + "' is reserved: it is the item_feedback of every impression");
  return text;
}

void read_events(const std::string& path, const std::set<std::string>& positive, InteractionLog& log) {
  TextLines lines(path);
  std::string line, separator;
  while (next_record(lines, line)) {
    if (separator.empty()) separator = line.find('\t') != std::string::npos ? "\t" : ",";
    const std::vector<std::string> fields = split(line, separator);
    if (lines.line_number() == 1 && is_header(fields)) continue;
    if (fields.size() != 5)
      throw lines.error(std::string("expected ") + kColumns + (separator == "\t" ? " separated by TABs" : "") +
                        ", found " + std::to_string(fields.size()) + " fields");
    if (lines.line_number() == 1 && !is_integer(fields[4]))
      throw lines.error("timestamp must be an integer, found '" + fields[4] + "' (a header line names the columns " +
                        kColumns + ")");
    const std::string& user = checked_value(fields[0], lines, "user id");
    const std::uint32_t item = log.items.add(checked_value(fields[1], lines, "item id"));
    const std::uint32_t category = log.add_side(checked_value(fields[2], lines, "category"), lines);
    const std::string& behaviour = checked_behaviour(fields[3], lines);
    const bool is_positive = positive.count(behaviour) != 0;
    log.add(user, LogEvent{parse_integer(fields[4], lines, "timestamp"), item, category,
                           log.add_feedback(behaviour, lines), is_positive});
  }
  if (log.users.size() == 0) throw lines.error("no events after the header");
}

}  // namespace

PrepareSummary prepare_events(const std::string& path, const std::string& out_dir, const EventsOptions& options) {
  check_options(options.impressions);
  if (options.positive.empty() ||
      std::any_of(options.positive.begin(), options.positive.end(), [](const std::string& b) { return b.empty(); }))
    throw std::invalid_argument("prepare events: the positive behaviours must be non-empty names, e.g. buy,cart,fav");
  InteractionLog log;
  read_events(path, {options.positive.begin(), options.positive.end()}, log);
  PrepareSummary summary =
      write_prepared(log, {"item_category", "hist_categories", "", "runs/events"}, options.impressions, out_dir);
  summary.source = "events in " + path;
  return summary;
}

}  // namespace recgrad
