#pragma once
// Reading text files line by line with the line number at hand, so every data error can name
// `file:line`. Shared by the TSV reader, the vocabulary loader and the MovieLens converter.
#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace recgrad {

// Lines of a text file without their end-of-line: "\n" and "\r\n" both end a line, and a UTF-8
// byte-order mark at the start of the file is dropped (spreadsheet exports write one).
class TextLines {
 public:
  explicit TextLines(const std::string& path);  // throws std::invalid_argument if it cannot be opened

  bool next(std::string& line);                 // false at the end of the file
  std::size_t line_number() const { return line_number_; }  // 1-based, of the last line read
  const std::string& path() const { return path_; }

  // "path:line: what", the form of every data error.
  std::invalid_argument error(const std::string& what) const;

 private:
  std::string path_;
  std::ifstream in_;
  std::size_t line_number_ = 0;
};

// "a,b,,c" split at "," gives {"a", "b", "", "c"}; an empty text gives {""} (one empty field).
std::vector<std::string> split(const std::string& text, const std::string& separator);

// The items joined with the separator; the inverse of split for items free of the separator.
std::string join(const std::vector<std::string>& items, const std::string& separator);

}  // namespace recgrad
