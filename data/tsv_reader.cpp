#include "data/tsv_reader.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdlib>
#include <map>
#include <set>

#include "data/encoder.h"
#include "data/interaction_log.h"
#include "data/text.h"

namespace recgrad {
namespace {

// Column positions of the schema's roles in this file's header.
struct ColumnIndex {
  bool has_label = true;
  std::size_t label = 0, item = 0, history = 0;
  std::vector<std::size_t> item_side, history_side;
  std::size_t user = 0;  // meaningful when the schema has a user column
  std::size_t timestamp = 0, history_timestamps = 0;  // meaningful when the schema names them
};

// A number such as a 0/1 label, "3", "-0.5" or "1e-3" (strtod's whole cell, with a digit; not "nan").
bool is_numeric(const std::string& cell) {
  if (cell.empty() || std::none_of(cell.begin(), cell.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size();
}

// A first line that is data, not a header (the header line forgotten): it names none of the schema's
// columns and has a cell that no header would (a repeated cell, a 0/1 label, a number). A header that
// names at least one column, even with typos elsewhere, is left to the precise missing-column error.
bool looks_like_data(const std::vector<std::string>& cells, const Schema& schema) {
  const std::set<std::string> names(cells.begin(), cells.end());
  for (const std::string& column : schema_columns(schema))
    if (names.count(column) != 0) return false;
  if (names.size() != cells.size()) return true;
  return std::any_of(cells.begin(), cells.end(), is_numeric);
}

// The start of a line for an error message: at most `max_bytes`, not cutting a UTF-8 character.
std::string line_start(const std::string& line, std::size_t max_bytes) {
  if (line.size() <= max_bytes) return line;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
  return line.substr(0, cut) + "...";
}

ColumnIndex locate_columns(const std::vector<std::string>& header, const Schema& schema, LabelColumn label_column,
                           const TextLines& lines) {
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (!position.emplace(header[i], i).second) throw lines.error("column '" + header[i] + "' appears twice in the header");
  auto find = [&](const std::string& column) {
    auto it = position.find(column);
    if (it == position.end())
      throw lines.error("missing column '" + column + "' (the header has: " + join(header, ", ") + ")");
    return it->second;
  };
  ColumnIndex index;
  index.has_label = label_column == LabelColumn::Required || position.count(schema.label) != 0;
  if (index.has_label) index.label = find(schema.label);
  index.item = find(schema.item);
  index.history = find(schema.history);
  if (!schema.user.empty()) index.user = find(schema.user);
  for (const std::string& column : schema.item_side) index.item_side.push_back(find(column));
  for (const std::string& column : schema.history_side) index.history_side.push_back(find(column));
  if (!schema.timestamp.empty()) {
    index.timestamp = find(schema.timestamp);
    index.history_timestamps = find(schema.history_timestamps);
  }
  return index;
}

// Ids never hold the separator, as for the writer: a target item "a,b" could not match the same item
// in a history list, which splits it.
std::string single_id(const std::vector<std::string>& fields, std::size_t column, const std::vector<std::string>& header,
                      const Schema& schema, const TextLines& lines) {
  const std::string& id = fields[column];
  if (id.empty()) throw lines.error("empty value in column '" + header[column] + "'");
  if (id.find(schema.separator) != std::string::npos)
    throw lines.error("id '" + id + "' in column '" + header[column] + "' holds the history separator '" +
                      schema.separator + "'");
  return id;
}

// A history cell as a list, oldest first. An empty cell is an empty history.
std::vector<std::string> id_list(const std::vector<std::string>& fields, std::size_t column,
                                 const std::vector<std::string>& header, const Schema& schema, const TextLines& lines) {
  if (fields[column].empty()) return {};
  std::vector<std::string> ids = split(fields[column], schema.separator);
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i].empty())
      throw lines.error("empty id at position " + std::to_string(i + 1) + " of column '" + header[column] + "'");
  if (schema.order == HistoryOrder::NewestFirst) std::reverse(ids.begin(), ids.end());
  return ids;
}

// Every value of a multi-valued side-info cell is non-empty (no "Comedy||Drama"); separator "" for a
// single-valued column, which needs no check.
void check_values(const std::string& cell, const std::string& separator, const std::string& column,
                  const TextLines& lines) {
  if (separator.empty()) return;
  try {
    split_values(cell, separator, column);
  } catch (const std::invalid_argument& e) {
    throw lines.error(e.what());
  }
}

std::string control_character_message(unsigned char byte, const std::string& column, std::size_t offset) {
  static const char* const hex = "0123456789ABCDEF";
  return "column '" + column + "' holds the control character 0x" + hex[byte >> 4] + hex[byte & 15] + " at byte " +
         std::to_string(offset + 1) + " of its cell";
}

// A C0 control character (CR, NUL, ...) inside a cell the schema reads is an error: no one types it in
// an id, and one id per line is how the vocabulary files store ids (a CR would split or end one on
// reload). TAB separates cells and a CRLF line end is already gone, so anything below 0x20 left is one.
void check_no_control_characters(const std::vector<std::string>& cells, const std::vector<std::size_t>& used,
                                 const std::vector<std::string>& header, const TextLines& lines) {
  for (std::size_t column : used) {
    const std::string& cell = cells[column];
    const auto bad = std::find_if(cell.begin(), cell.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    if (bad != cell.end())
      throw lines.error(control_character_message(static_cast<unsigned char>(*bad), header[column], std::size_t(bad - cell.begin())));
  }
}

// The behaviour times of one line, oldest first: one integer per history entry, none later than the
// impression (a behaviour cannot follow the impression it explains).
std::vector<std::int64_t> behaviour_times(const std::vector<std::string>& cells, const ColumnIndex& column,
                                          const std::vector<std::string>& header, const Schema& schema,
                                          std::size_t history_length, std::int64_t impression_time,
                                          const TextLines& lines) {
  const std::vector<std::string> texts = id_list(cells, column.history_timestamps, header, schema, lines);
  if (texts.size() != history_length)
    throw lines.error("column '" + schema.history_timestamps + "' has " + std::to_string(texts.size()) +
                      " entries but '" + schema.history + "' has " + std::to_string(history_length));
  std::vector<std::int64_t> times;
  for (const std::string& text : texts) {
    times.push_back(parse_integer(text, lines, "column '" + schema.history_timestamps + "'"));
    if (times.back() > impression_time)
      throw lines.error("column '" + schema.history_timestamps + "' has the behaviour time " + text +
                        ", later than the impression's " + schema.timestamp + " " + std::to_string(impression_time));
  }
  return times;
}

template <class T>
std::vector<T> keep_most_recent(std::vector<T> oldest_first, std::size_t max_len) {
  if (oldest_first.size() > max_len)
    oldest_first.erase(oldest_first.begin(), oldest_first.end() - static_cast<std::ptrdiff_t>(max_len));
  return oldest_first;
}

}  // namespace

RawDataset read_tsv(const std::string& path, const Schema& schema, LabelColumn label_column) {
  validate(schema);
  TextLines lines(path);
  std::string line;
  if (!lines.next(line)) throw std::invalid_argument(path + ":1: empty file (expected a header line naming the columns)");
  const std::vector<std::string> header = split(line, "\t");
  if (looks_like_data(header, schema))
    throw lines.error("the first line must be a header naming the columns (docs/formats.md); it looks like data: " +
                      line_start(line, 60));
  const ColumnIndex column = locate_columns(header, schema, label_column, lines);

  RawDataset data;
  data.side_fields = schema.item_side;
  data.has_users = !schema.user.empty();
  const std::size_t fields = schema.item_side.size();
  data.target_side.resize(fields);
  data.history_side.resize(fields);
  std::vector<std::string> value_separator(fields);  // "" for single-valued side info
  for (std::size_t f = 0; f < fields; ++f) {
    auto it = schema.multi_valued.find(schema.item_side[f]);
    if (it != schema.multi_valued.end()) value_separator[f] = it->second;
  }

  std::vector<std::size_t> used{column.item, column.history};  // the cells read, checked for control characters
  if (column.has_label) used.push_back(column.label);
  if (data.has_users) used.push_back(column.user);
  used.insert(used.end(), column.item_side.begin(), column.item_side.end());
  used.insert(used.end(), column.history_side.begin(), column.history_side.end());
  const bool has_times = !schema.timestamp.empty();
  if (has_times) used.insert(used.end(), {column.timestamp, column.history_timestamps});

  while (lines.next(line)) {
    if (line.empty()) throw lines.error("empty line");
    const std::vector<std::string> cells = split(line, "\t");
    if (cells.size() != header.size())
      throw lines.error("expected " + std::to_string(header.size()) + " tab-separated fields (as in the header), found " +
                        std::to_string(cells.size()));
    check_no_control_characters(cells, used, header, lines);

    if (column.has_label) {
      const std::string& label = cells[column.label];
      if (label != "0" && label != "1")
        throw lines.error("label column '" + schema.label + "' must be 0 or 1, found '" + label + "'");
      data.labels.push_back(label == "1" ? 1.0 : 0.0);
    }
    if (data.has_users) data.users.push_back(single_id(cells, column.user, header, schema, lines));
    data.target_item.push_back(single_id(cells, column.item, header, schema, lines));

    std::vector<std::string> history = id_list(cells, column.history, header, schema, lines);
    for (std::size_t f = 0; f < fields; ++f) {
      data.target_side[f].push_back(single_id(cells, column.item_side[f], header, schema, lines));
      check_values(data.target_side[f].back(), value_separator[f], schema.item_side[f], lines);
      std::vector<std::string> side = id_list(cells, column.history_side[f], header, schema, lines);
      for (const std::string& cell : side) check_values(cell, value_separator[f], schema.history_side[f], lines);
      if (side.size() != history.size())
        throw lines.error("column '" + schema.history_side[f] + "' has " + std::to_string(side.size()) +
                          " entries but '" + schema.history + "' has " + std::to_string(history.size()));
      data.history_side[f].push_back(keep_most_recent(std::move(side), schema.max_len));
    }
    if (has_times) {
      data.timestamp.push_back(parse_integer(cells[column.timestamp], lines, "column '" + schema.timestamp + "'"));
      data.history_timestamps.push_back(keep_most_recent(
          behaviour_times(cells, column, header, schema, history.size(), data.timestamp.back(), lines), schema.max_len));
    }
    data.history_item.push_back(keep_most_recent(std::move(history), schema.max_len));
  }
  if (data.size() == 0) throw lines.error("no impressions after the header");
  return data;
}

}  // namespace recgrad
