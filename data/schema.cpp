#include "data/schema.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace recgrad {

HistoryOrder parse_history_order(const std::string& name) {
  if (name == "oldest_first") return HistoryOrder::OldestFirst;
  if (name == "newest_first") return HistoryOrder::NewestFirst;
  throw std::invalid_argument("history order '" + name + "': expected \"oldest_first\" or \"newest_first\"");
}

std::string history_order_name(HistoryOrder order) {
  return order == HistoryOrder::OldestFirst ? "oldest_first" : "newest_first";
}

void validate(const Schema& schema) {
  auto require = [](const std::string& column, const char* role) {
    if (column.empty()) throw std::invalid_argument(std::string("schema: the ") + role + " column is not set");
  };
  require(schema.label, "label");
  require(schema.item, "target item");
  require(schema.history, "history");
  if (schema.item_side.size() != schema.history_side.size())
    throw std::invalid_argument("schema: " + std::to_string(schema.item_side.size()) + " target side-info columns but " +
                                std::to_string(schema.history_side.size()) +
                                " history side-info columns; each side-info field needs both");
  for (std::size_t f = 0; f < schema.item_side.size(); ++f) {
    require(schema.item_side[f], "target side-info");
    require(schema.history_side[f], "history side-info");
  }
  if (schema.timestamp.empty() != schema.history_timestamps.empty())
    throw std::invalid_argument("schema: timestamp and history_timestamps go together; set both or neither");
  std::set<std::string> seen;
  for (const std::string& column : schema_columns(schema))
    if (!seen.insert(column).second)
      throw std::invalid_argument("schema: column '" + column + "' is given two roles");
  if (schema.separator.empty() || schema.separator.find('\t') != std::string::npos)
    throw std::invalid_argument("schema: the history separator must be non-empty and must not contain a TAB");
  if (schema.max_len == 0) throw std::invalid_argument("schema: max_len must be at least 1");
  if (schema.min_count == 0) throw std::invalid_argument("schema: min_count must be at least 1");
  for (const auto& [field, separator] : schema.multi_valued) {
    if (std::find(schema.item_side.begin(), schema.item_side.end(), field) == schema.item_side.end())
      throw std::invalid_argument("schema: multi_valued names '" + field + "', which is not an item_side column");
    if (separator.empty() || separator.find('\t') != std::string::npos ||
        schema.separator.find(separator) != std::string::npos || separator.find(schema.separator) != std::string::npos)
      throw std::invalid_argument("schema: the value separator of '" + field +
                                  "' must be non-empty, hold no TAB, and differ from the history separator '" +
                                  schema.separator + "'");
  }
}

std::vector<std::string> schema_columns(const Schema& schema) {
  std::vector<std::string> columns = {schema.label};
  if (!schema.user.empty()) columns.push_back(schema.user);
  columns.push_back(schema.item);
  columns.insert(columns.end(), schema.item_side.begin(), schema.item_side.end());
  columns.push_back(schema.history);
  columns.insert(columns.end(), schema.history_side.begin(), schema.history_side.end());
  if (!schema.timestamp.empty()) columns.insert(columns.end(), {schema.timestamp, schema.history_timestamps});
  return columns;
}

}  // namespace recgrad
