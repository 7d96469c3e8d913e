#include "data/vocabulary.h"

#include <fstream>
#include <stdexcept>

#include "data/text.h"

namespace recgrad {

Vocabulary::Vocabulary(const std::set<std::string>& ids) {
  for (const std::string& id : ids) add(id);
}

void Vocabulary::add(const std::string& id) {
  index_.emplace(id, static_cast<std::int64_t>(ids_.size()));
  ids_.push_back(id);
}

std::int64_t Vocabulary::index(const std::string& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? kOutOfVocabulary : it->second;
}

const std::string& Vocabulary::id(std::int64_t index) const {
  if (index < 0 || static_cast<std::size_t>(index) >= ids_.size())
    throw std::out_of_range("Vocabulary::id: index " + std::to_string(index) + " outside [0, " +
                            std::to_string(ids_.size()) + ")");
  return ids_[static_cast<std::size_t>(index)];
}

void Vocabulary::save(const std::string& path) const {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::invalid_argument("Vocabulary::save: cannot open '" + path + "' for writing");
  for (const std::string& id : ids_) out << id << '\n';
  if (!out) throw std::runtime_error("Vocabulary::save: writing '" + path + "' failed");
}

Vocabulary Vocabulary::load(const std::string& path) {
  TextLines lines(path);
  Vocabulary vocabulary;
  std::string line;
  while (lines.next(line)) {
    const std::size_t n = lines.line_number();
    if (n <= 2) {
      const std::string& reserved = vocabulary.ids_[n - 1];
      if (line != reserved) throw lines.error("expected the reserved entry '" + reserved + "', found '" + line + "'");
      continue;
    }
    if (line.empty()) throw lines.error("empty id");
    if (vocabulary.index_.count(line))
      throw lines.error("id '" + line + "' already appears on line " + std::to_string(vocabulary.index(line) + 1));
    vocabulary.add(line);
  }
  if (lines.line_number() < 2)
    throw std::invalid_argument(path + ":" + std::to_string(lines.line_number() + 1) +
                                ": file ends early; a vocabulary file starts with the lines '<pad>' and '<oov>'");
  return vocabulary;
}

}  // namespace recgrad
