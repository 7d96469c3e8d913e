// parse_json and load_json_file (declared in io/json_config.h): JSON text to a value, with errors a
// person can act on.
#include "io/json_config.h"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "io/atomic_file.h"

namespace recgrad {

using nlohmann::json;

namespace {

// nlohmann reports the byte offset of the character it stopped at; people read line:column.
std::string line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {  // UTF-8 continuation bytes belong to the character before
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// Tracks where the parser is ("model.fields[2]") and throws on a key repeated in one object, and on
// nesting so deep that printing or copying the value (recursive in nlohmann) could overflow the stack.
class ParseGuard {
 public:
  static constexpr std::size_t kMaxDepth = 64;

  explicit ParseGuard(const std::string& source) : source_(source) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (stack_.size() == kMaxDepth)
          throw std::invalid_argument(source_ + ": '" + path() + "' is nested deeper than " +
                                      std::to_string(kMaxDepth) + " levels");
        stack_.push_back({event == json::parse_event_t::object_start, {}, {}, 0});
        break;
      case json::parse_event_t::key: {
        Level& level = stack_.back();
        level.key = parsed.get<std::string>();
        if (!level.keys.insert(level.key).second)
          throw std::invalid_argument(source_ + ": duplicate key '" + path() + "'");
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        stack_.pop_back();
        count_element();
        break;
      case json::parse_event_t::value: count_element(); break;
    }
    return true;
  }

 private:
  struct Level {
    bool is_object;
    std::set<std::string> keys;
    std::string key;    // objects: the key being read
    std::size_t index;  // arrays: the element being read
  };

  void count_element() {
    if (!stack_.empty() && !stack_.back().is_object) ++stack_.back().index;
  }

  std::string path() const {
    std::string p;
    for (const Level& level : stack_)
      p += level.is_object ? (p.empty() ? "" : ".") + level.key : "[" + std::to_string(level.index) + "]";
    return p;
  }

  const std::string& source_;
  std::vector<Level> stack_;
};

}  // namespace

json parse_json(std::string_view text, const std::string& source) {
  ParseGuard guard(source);
  try {
    return json::parse(text.begin(), text.end(), std::ref(guard));
  } catch (const json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: <reason>".
    const std::string what = e.what();
    const std::size_t colon = what.find(": ", what.find("parse error"));
    const std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    throw std::invalid_argument(source + ":" + line_and_column(text, e.byte == 0 ? 0 : e.byte - 1) +
                                ": invalid JSON: " + reason);
  } catch (const json::out_of_range& e) {
    // A number beyond a double ("1e999"): e.what() is "[json.exception.out_of_range.406] number overflow ...".
    const std::string what = e.what();
    throw std::invalid_argument(source + ": invalid JSON: " + what.substr(what.find("] ") + 2));
  }
}

json load_json_file(const std::string& path) { return parse_json(read_file(path), path); }

}  // namespace recgrad
