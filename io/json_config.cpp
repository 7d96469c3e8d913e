#include "io/json_config.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace recgrad {

using nlohmann::json;

namespace {

// A value as it appears in the config, shortened so that a message stays one readable line.
std::string shown(const json& value) {
  std::string text = value.dump();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

std::string number_text(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

// "; did you mean 'attention'? allowed: attention, dropout"
std::string hint(const std::string& name, const std::vector<std::string>& allowed) {
  const std::string closest = closest_match(name, allowed);
  std::string text = closest.empty() ? "" : "; did you mean '" + closest + "'?";
  return text + (closest.empty() ? "; " : " ") + "allowed: " + (allowed.empty() ? "(none)" : joined(allowed));
}

std::string integer_kind(std::int64_t min, std::int64_t max) {
  constexpr std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t highest = std::numeric_limits<std::int64_t>::max();
  if (max == highest) {
    if (min == lowest) return "an integer";
    if (min == 0) return "a non-negative integer";
    if (min == 1) return "a positive integer";
    return "an integer >= " + std::to_string(min);
  }
  if (min == lowest) return "an integer <= " + std::to_string(max);
  return "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

}  // namespace

void apply_override(json& config, const std::string& assignment) {
  const std::string context = "--set " + assignment;
  const std::size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    throw std::invalid_argument(context + ": expected path.to.key=value");
  const std::string path = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);

  json* node = &config;
  std::string walked;  // the part of the path found so far
  std::size_t begin = 0;
  for (;;) {
    const std::size_t dot = std::min(path.find('.', begin), path.size());
    const std::string key = path.substr(begin, dot - begin);
    if (key.empty()) throw std::invalid_argument(context + ": empty key in the path '" + path + "'");
    if (!node->is_object())
      throw std::invalid_argument(context + ": '" + walked + "' is " + shown(*node) + ", not an object");
    const std::string prefix = walked.empty() ? "" : walked + ".";
    const auto found = node->find(key);
    if (found == node->end()) {
      std::vector<std::string> keys;
      for (const auto& item : node->items()) keys.push_back(item.key());
      throw std::invalid_argument(context + ": no key '" + prefix + key + "' in the config" + hint(key, keys));
    }
    node = &*found;
    walked = prefix + key;
    if (dot == path.size()) break;
    begin = dot + 1;
  }
  json value = json::parse(text, nullptr, /*allow_exceptions*/ false);
  *node = value.is_discarded() ? json(text) : std::move(value);
}

std::string closest_match(const std::string& name, const std::vector<std::string>& candidates) {
  // Optimal string alignment distance: insertions, deletions, substitutions and neighbour swaps.
  auto distance = [&](const std::string& other) {
    const std::size_t n = name.size(), m = other.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i)
      for (std::size_t j = 1; j <= m; ++j) {
        const std::size_t cost = name[i - 1] == other[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && name[i - 1] == other[j - 2] && name[i - 2] == other[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    return d[n][m];
  };
  // Beyond about a third of the letters wrong, a suggestion is more confusing than helpful.
  std::size_t best = std::max<std::size_t>(1, name.size() / 3) + 1;
  std::string closest;
  for (const std::string& candidate : candidates) {
    const std::size_t d = distance(candidate);
    if (d < best) {
      best = d;
      closest = candidate;
    }
  }
  return closest;
}

bool Interval::contains(double x) const {
  return (low_open ? x > low : x >= low) && (high_open ? x < high : x <= high);
}

std::string Interval::describe() const {
  const bool bounded_low = low != -std::numeric_limits<double>::infinity();
  const bool bounded_high = high != std::numeric_limits<double>::infinity();
  if (bounded_low && bounded_high)
    return std::string("a number in ") + (low_open ? "(" : "[") + number_text(low) + ", " + number_text(high) +
           (high_open ? ")" : "]");
  if (bounded_low) return std::string("a number ") + (low_open ? "> " : ">= ") + number_text(low);
  if (bounded_high) return std::string("a number ") + (high_open ? "< " : "<= ") + number_text(high);
  return "a number";
}

ConfigReader::ConfigReader(const json& object, std::string label) : ConfigReader(object, std::move(label), "") {
  if (!object.is_object()) throw std::invalid_argument(label_ + ": expected a JSON object, got " + shown(object));
}

ConfigReader::ConfigReader(const json& object, std::string label, std::string path)
    : object_(&object), label_(std::move(label)), path_(std::move(path)) {}

bool ConfigReader::has(const std::string& key) const { return object_->contains(key); }

const json* ConfigReader::find(const std::string& key) {
  known_.insert(key);
  const auto found = object_->find(key);
  return found == object_->end() ? nullptr : &*found;
}

std::string ConfigReader::path_of(const std::string& key) const {
  if (key.empty()) return path_;  // a message about the object as a whole
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigReader::fail(const std::string& key, const std::string& message) const {
  throw std::invalid_argument(label_ + ": " + path_of(key) + ": " + message);
}

std::int64_t ConfigReader::checked_int(const std::string& key, const json& value, std::int64_t min,
                                       std::int64_t max) const {
  // Unsigned values above the int64 range and floats such as 4.0 are not accepted as integers.
  const bool integer = value.is_number_integer() &&
                       !(value.is_number_unsigned() &&
                         value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
  if (!integer || value.get<std::int64_t>() < min || value.get<std::int64_t>() > max)
    fail(key, "expected " + integer_kind(min, max) + ", got " + shown(value));
  return value.get<std::int64_t>();
}

std::int64_t ConfigReader::get_int(const std::string& key, std::int64_t fallback, std::int64_t min,
                                   std::int64_t max) {
  const json* value = find(key);
  return value ? checked_int(key, *value, min, max) : fallback;
}

std::vector<std::int64_t> ConfigReader::get_int_list(const std::string& key, const std::vector<std::int64_t>& fallback,
                                                     std::int64_t min, std::int64_t max) {
  const json* value = find(key);
  if (!value) return fallback;
  if (!value->is_array()) fail(key, "expected a list of integers, got " + shown(*value));
  std::vector<std::int64_t> list;
  for (std::size_t i = 0; i < value->size(); ++i)
    list.push_back(checked_int(key + "[" + std::to_string(i) + "]", (*value)[i], min, max));
  return list;
}

double ConfigReader::get_double(const std::string& key, double fallback, const Interval& allowed) {
  const json* value = find(key);
  if (!value) return fallback;
  if (!value->is_number() || !allowed.contains(value->get<double>()))
    fail(key, "expected " + allowed.describe() + ", got " + shown(*value));
  return value->get<double>();
}

bool ConfigReader::get_bool(const std::string& key, bool fallback) {
  const json* value = find(key);
  if (!value) return fallback;
  if (!value->is_boolean()) fail(key, "expected true or false, got " + shown(*value));
  return value->get<bool>();
}

std::string ConfigReader::get_string(const std::string& key, const std::string& fallback,
                                     const std::vector<std::string>& allowed) {
  const json* value = find(key);
  if (!value) return fallback;
  if (!value->is_string()) fail(key, "expected a string, got " + shown(*value));
  const std::string text = value->get<std::string>();
  if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end())
    fail(key, "unknown value '" + text + "'" + hint(text, allowed));
  return text;
}

std::vector<std::string> ConfigReader::get_string_list(const std::string& key,
                                                       const std::vector<std::string>& fallback) {
  const json* value = find(key);
  if (!value) return fallback;
  if (!value->is_array()) fail(key, "expected a list of strings, got " + shown(*value));
  std::vector<std::string> list;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const json& item = (*value)[i];
    if (!item.is_string()) fail(key + "[" + std::to_string(i) + "]", "expected a string, got " + shown(item));
    list.push_back(item.get<std::string>());
  }
  return list;
}

std::map<std::string, std::string> ConfigReader::get_string_map(const std::string& key,
                                                                const std::map<std::string, std::string>& fallback) {
  const json* value = find(key);
  if (!value) return fallback;
  if (!value->is_object()) fail(key, "expected an object of strings, got " + shown(*value));
  std::map<std::string, std::string> map;
  for (const auto& [name, item] : value->items()) {
    if (!item.is_string()) fail(key + "." + name, "expected a string, got " + shown(item));
    map.emplace(name, item.get<std::string>());
  }
  return map;
}

ConfigReader ConfigReader::object(const std::string& key) {
  static const json empty = json::object();
  const json* value = find(key);
  if (value && !value->is_object()) fail(key, "expected an object, got " + shown(*value));
  return ConfigReader(value ? *value : empty, label_, path_of(key));
}

std::vector<ConfigReader> ConfigReader::object_list(const std::string& key) {
  const json* value = find(key);
  if (!value) return {};
  if (!value->is_array()) fail(key, "expected a list of objects, got " + shown(*value));
  std::vector<ConfigReader> list;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    const json& item = (*value)[i];
    if (!item.is_object()) fail(item_key, "expected an object, got " + shown(item));
    list.push_back(ConfigReader(item, label_, path_of(item_key)));
  }
  return list;
}

void ConfigReader::finish() const {
  for (const auto& item : object_->items())
    if (known_.count(item.key()) == 0)
      fail(item.key(), "unknown key" + hint(item.key(), std::vector<std::string>(known_.begin(), known_.end())));
}

}  // namespace recgrad
