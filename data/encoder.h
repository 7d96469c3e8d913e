#pragma once
// From strings to embedding rows: vocabularies built on the training split, then every split
// encoded with them into the layout the model reads (histories most recent first, at most max_len).
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/vocabulary.h"

namespace recgrad {

// Target and history share one vocabulary per field: the item id of a target and of a history entry
// are the same thing, so they get the same embedding row.
struct Vocabularies {
  std::vector<std::string> side_fields;
  Vocabulary items;                 // target items and history items
  std::vector<Vocabulary> side;     // [fields], target and history side info of that field
  bool has_users = false;
  Vocabulary users;
};

Vocabularies build_vocabularies(const RawDataset& train);

EncodedDataset encode(const RawDataset& data, const Vocabularies& vocabularies, std::size_t max_len);

// An oldest-first sequence as the model reads it: its last max_len entries, most recent first.
template <class T>
std::vector<T> most_recent_first(const std::vector<T>& oldest_first, std::size_t max_len) {
  const std::size_t kept = std::min(oldest_first.size(), max_len);
  return std::vector<T>(oldest_first.rbegin(), oldest_first.rbegin() + static_cast<std::ptrdiff_t>(kept));
}

// Files in `directory` (which must exist): vocab_item.txt, vocab_user.txt (with users) and
// vocab_side_<field>.txt per side-info field, each in Vocabulary::save's format.
void save_vocabularies(const Vocabularies& vocabularies, const std::string& directory);
Vocabularies load_vocabularies(const std::string& directory, const std::vector<std::string>& side_fields,
                               bool has_users);

}  // namespace recgrad
