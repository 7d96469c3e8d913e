#pragma once
// Validated JSON configs: every mistake in a config is reported as one line that says where it is and
// what was expected, before any work starts.
//
//   nlohmann::json config = load_json_file("configs/default.json");  // syntax errors name file:line:column
//   apply_override(config, "model.attention.heads=8");                 // one `--set` from the command line
//   ConfigReader root(config);
//   ConfigReader model = root.object("model");
//   int dim = model.get_int("embedding_dim", 16, /*min*/ 1);
//   std::string kind = model.get_string("attention", "multi_head", {"dot", "scaled_dot", "din", "multi_head"});
//   double dropout = model.get_double("dropout", 0.0, Interval::closed_open(0, 1));
//   if (dim % 4 != 0) model.fail("embedding_dim", "must be a multiple of 4, got " + std::to_string(dim));
//   model.finish();  // a key that no getter asked for is an error, with the closest allowed key
//   root.finish();
//
// All errors are std::invalid_argument, for example
//   "config: model.attention.heads: expected a positive integer, got -2"
//   "config: model.atention: unknown key; did you mean 'attention'? allowed: attention, dropout, embedding_dim"
//   "--set model.atention.heads=8: no key 'model.atention' in the config; did you mean 'attention'? allowed: ..."
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace recgrad {

// Parses JSON text. A syntax error names `source:line:column` where the parser stopped (the last
// character of the offending token; columns count characters, from 1);
// a key that appears twice in one object is an error too, naming its path ("model.heads"), because
// JSON parsers silently keep one of the two values; so is nesting deeper than 64 levels.
nlohmann::json parse_json(std::string_view text, const std::string& source);

// parse_json on a file's contents; a missing or unreadable file is an error naming the path.
nlohmann::json load_json_file(const std::string& path);

// Sets the value at a dotted path from "path.to.key=value", as `--set` does. The value is read as
// JSON when it parses (8, 0.5, true, null, [1,2], {"a":1}, "\"8\"" for the string 8), otherwise it is
// the string itself (adam, data/train.tsv). The path must already exist in the config, so a typo is
// an error naming the closest existing key rather than a setting that is silently ignored.
void apply_override(nlohmann::json& config, const std::string& assignment);

// The candidate closest to `name` by edit distance (a swap of two neighbouring letters counts as one
// edit), or "" when none is close enough to be a likely typo. For "did you mean" hints.
std::string closest_match(const std::string& name, const std::vector<std::string>& candidates);

// The numbers a setting accepts; an open end excludes the bound itself.
struct Interval {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false, high_open = false;

  static Interval greater_than(double low) { return {low, std::numeric_limits<double>::infinity(), true, false}; }
  static Interval at_least(double low) { return {low, std::numeric_limits<double>::infinity(), false, false}; }
  static Interval closed(double low, double high) { return {low, high, false, false}; }       // [low, high]
  static Interval closed_open(double low, double high) { return {low, high, false, true}; }  // [low, high)

  bool contains(double x) const;
  std::string describe() const;  // "a number > 0", "a number in [0, 1)"
};

// Reads one JSON object of a config and remembers the keys it was asked for, so that finish() can
// reject the others. Each getter returns the fallback when the key is absent and throws when it is
// present with a wrong type or out of range. The reader refers to the json it was given: keep that alive.
class ConfigReader {
 public:
  // `label` starts every message: "config", or the config file's path.
  explicit ConfigReader(const nlohmann::json& object, std::string label = "config");

  const std::string& path() const { return path_; }  // "model.attention"; "" at the top
  bool has(const std::string& key) const;             // does not count as asking for the key

  std::int64_t get_int(const std::string& key, std::int64_t fallback,
                       std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                       std::int64_t max = std::numeric_limits<std::int64_t>::max());
  // Each element within [min, max]; errors name the element ("model.tower.hidden[1]").
  std::vector<std::int64_t> get_int_list(const std::string& key, const std::vector<std::int64_t>& fallback,
                                         std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                         std::int64_t max = std::numeric_limits<std::int64_t>::max());
  double get_double(const std::string& key, double fallback, const Interval& allowed = {});  // ints accepted too
  bool get_bool(const std::string& key, bool fallback);
  // With `allowed` non-empty, the value must be one of them.
  std::string get_string(const std::string& key, const std::string& fallback,
                         const std::vector<std::string>& allowed = {});
  std::vector<std::string> get_string_list(const std::string& key, const std::vector<std::string>& fallback = {});
  // An object whose values are all strings ({"item_genres": "|"}); errors name the entry ("features.multi_valued.x").
  std::map<std::string, std::string> get_string_map(const std::string& key,
                                                    const std::map<std::string, std::string>& fallback = {});

  // A sub-object; an absent key reads as an empty object, so its getters give their fallbacks.
  ConfigReader object(const std::string& key);
  // A list of objects, each read as "key[i]"; an absent key is an empty list.
  std::vector<ConfigReader> object_list(const std::string& key);

  // Throws "label: path.key: message", for checks the getters cannot make (one value against another);
  // with key "" the message is about this object as a whole: "label: path: message".
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  // Throws on the first key of this object that no getter asked for.
  void finish() const;

 private:
  ConfigReader(const nlohmann::json& object, std::string label, std::string path);
  const nlohmann::json* find(const std::string& key);  // records the key as known; nullptr when absent
  std::int64_t checked_int(const std::string& key, const nlohmann::json& value, std::int64_t min,
                           std::int64_t max) const;
  std::string path_of(const std::string& key) const;   // "model.attention" + "heads" -> "model.attention.heads"

  const nlohmann::json* object_;
  std::string label_;
  std::string path_;
  std::set<std::string> known_;
};

}  // namespace recgrad
