#pragma once
// From strings to embedding rows: vocabularies built on the training split, then every split
// encoded with them into the layout the model reads (histories most recent first, at most max_len).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/schema.h"
#include "data/vocabulary.h"

namespace recgrad {

// Target and history share one vocabulary per field: the item id of a target and of a history entry
// are the same thing, so they get the same embedding row.
struct Vocabularies {
  std::vector<std::string> side_fields;
  std::vector<std::string> side_separator;  // [fields] value separator of a multi-valued field, "" if single-valued
  Vocabulary items;                 // target items and history items
  std::vector<Vocabulary> side;     // [fields], target and history side info of that field (its values)
  bool has_users = false;
  Vocabulary users;
};

// From the training split, with features.min_count and features.multi_valued: an id seen fewer than
// min_count times (items and side info: as target and in histories; users: impressions) is left out
// and so maps to the OOV row 1. A multi-valued field's vocabulary holds its individual values.
Vocabularies build_vocabularies(const RawDataset& train, const Schema& features);

// The values of one cell of a multi-valued field ("Comedy|Drama" -> {"Comedy", "Drama"}); an empty
// value ("Comedy||Drama", a leading or trailing separator) throws std::invalid_argument naming the
// field and the cell.
std::vector<std::string> split_values(const std::string& cell, const std::string& separator, const std::string& field);

// Multi-valued fields are laid out with EncodedDataset::side_width values per cell (data/dataset.h).
EncodedDataset encode(const RawDataset& data, const Vocabularies& vocabularies, std::size_t max_len);

// One encoded side-info cell back to text: the ids of its `width` indices from `first`, padding left
// out, joined by the field's value separator ("Comedy|Drama").
std::string decode_side_cell(const Vocabularies& vocabularies, std::size_t field, const std::int64_t* first,
                             std::size_t width);

// An oldest-first sequence as the model reads it: its last max_len entries, most recent first.
template <class T>
std::vector<T> most_recent_first(const std::vector<T>& oldest_first, std::size_t max_len) {
  const std::size_t kept = std::min(oldest_first.size(), max_len);
  return std::vector<T>(oldest_first.rbegin(), oldest_first.rbegin() + static_cast<std::ptrdiff_t>(kept));
}

// Files in `directory` (which must exist): vocab_item.txt, vocab_user.txt (with users) and
// vocab_side_<field>.txt per side-info field, each in Vocabulary::save's format. Loading takes the
// fields, the user column and the value separators from the run's features.
void save_vocabularies(const Vocabularies& vocabularies, const std::string& directory);
Vocabularies load_vocabularies(const std::string& directory, const Schema& features);

// Where the vocabularies saved in `directory` and `rebuilt` first differ, as
// "<directory>/vocab_item.txt:7: the run has 'i903' where the data now gives 'i904'", or "" when they
// agree: a resumed run must read ids into the same embedding rows as before.
std::string first_vocabulary_difference(const Vocabularies& saved, const Vocabularies& rebuilt,
                                        const std::string& directory);

}  // namespace recgrad
