#include "data/text.h"

namespace recgrad {

TextLines::TextLines(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) throw std::invalid_argument("cannot open '" + path + "' for reading");
}

bool TextLines::next(std::string& line) {
  if (!std::getline(in_, line)) return false;
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  static const std::string byte_order_mark = "\xEF\xBB\xBF";
  if (line_number_ == 1 && line.compare(0, byte_order_mark.size(), byte_order_mark) == 0)
    line.erase(0, byte_order_mark.size());
  return true;
}

std::invalid_argument TextLines::error(const std::string& what) const {
  return std::invalid_argument(path_ + ":" + std::to_string(line_number_) + ": " + what);
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t at = text.find(separator); at != std::string::npos; at = text.find(separator, start)) {
    fields.push_back(text.substr(start, at - start));
    start = at + separator.size();
  }
  fields.push_back(text.substr(start));
  return fields;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += separator;
    text += items[i];
  }
  return text;
}

}  // namespace recgrad
