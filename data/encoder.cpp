#include "data/encoder.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "data/text.h"

namespace recgrad {
namespace {

// How often each id appears; those seen at least min_count times make the vocabulary.
class IdCounts {
 public:
  void add(const std::string& id) { ++counts_[id]; }
  void add_all(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) add(id);
  }
  // A side-info cell: the cell itself when single-valued (separator ""), else each of its values.
  void add_cell(const std::string& cell, const std::string& separator, const std::string& field) {
    if (separator.empty())
      add(cell);
    else
      add_all(split_values(cell, separator, field));
  }
  Vocabulary vocabulary(std::size_t min_count) const {
    std::set<std::string> kept;
    for (const auto& [id, count] : counts_)
      if (count >= min_count) kept.insert(id);
    return Vocabulary(kept);
  }

 private:
  std::map<std::string, std::size_t> counts_;
};

// [fields] the value separator of each side-info field, "" for a single-valued one.
std::vector<std::string> value_separators(const std::vector<std::string>& side_fields,
                                          const std::map<std::string, std::string>& multi_valued) {
  for (const auto& entry : multi_valued)
    if (std::find(side_fields.begin(), side_fields.end(), entry.first) == side_fields.end())
      throw std::invalid_argument("vocabularies: multi_valued names '" + entry.first +
                                  "', which is not a side-info field of the data");
  std::vector<std::string> separators;
  for (const std::string& field : side_fields) {
    auto it = multi_valued.find(field);
    separators.push_back(it == multi_valued.end() ? "" : it->second);
  }
  return separators;
}

std::vector<std::int64_t> lookup(const Vocabulary& vocabulary, const std::vector<std::string>& ids) {
  std::vector<std::int64_t> indices;
  indices.reserve(ids.size());
  for (const std::string& id : ids) indices.push_back(vocabulary.index(id));
  return indices;
}

// Encodes the cells of one side-info field, each as `width` indices: its values, then padding 0.
struct SideCells {
  const Vocabulary& vocabulary;
  const std::string& separator;  // "" for a single-valued field, whose width is 1
  const std::string& field;
  std::size_t width = 1;

  void append(const std::string& cell, std::vector<std::int64_t>& out) const {
    if (separator.empty()) {
      out.push_back(vocabulary.index(cell));
      return;
    }
    const std::vector<std::string> values = split_values(cell, separator, field);
    for (const std::string& value : values) out.push_back(vocabulary.index(value));
    out.insert(out.end(), width - values.size(), Vocabulary::kPadding);
  }

  std::vector<std::int64_t> encode_history(const std::vector<std::string>& most_recent_first) const {
    std::vector<std::int64_t> out;
    out.reserve(most_recent_first.size() * width);
    for (const std::string& cell : most_recent_first) append(cell, out);
    return out;
  }
};

// The number of values in one cell of a multi-valued field (validated when it is encoded).
std::size_t value_count(const std::string& cell, const std::string& separator) {
  std::size_t count = 1;
  for (std::size_t at = cell.find(separator); at != std::string::npos; at = cell.find(separator, at + separator.size()))
    ++count;
  return count;
}

// W_f of a field in this dataset: the most values of any of its cells (the kept history entries
// included); 1 for a single-valued field.
std::size_t side_width(const RawDataset& data, std::size_t f, const std::string& separator, std::size_t max_len) {
  if (separator.empty()) return 1;
  std::size_t width = 1;
  for (const std::string& cell : data.target_side[f]) width = std::max(width, value_count(cell, separator));
  for (const std::vector<std::string>& history : data.history_side[f]) {
    const std::size_t kept = std::min(history.size(), max_len);
    for (std::size_t t = history.size() - kept; t < history.size(); ++t)
      width = std::max(width, value_count(history[t], separator));
  }
  return width;
}

// Seconds from each behaviour to the impression, oldest first.
std::vector<std::int64_t> gaps_to_impression(std::int64_t impression, const std::vector<std::int64_t>& behaviours,
                                             std::size_t row) {
  std::vector<std::int64_t> gaps;
  for (std::int64_t time : behaviours) {
    if (time > impression)
      throw std::invalid_argument("encode: row " + std::to_string(row) + " has a behaviour at " + std::to_string(time) +
                                  ", after its impression at " + std::to_string(impression));
    gaps.push_back(impression - time);
  }
  return gaps;
}

std::string side_file(const std::string& directory, const std::string& field) {
  if (field.find('/') != std::string::npos)
    throw std::invalid_argument("vocabularies: side-info field name '" + field + "' cannot name a file (it holds '/')");
  return directory + "/vocab_side_" + field + ".txt";
}

}  // namespace

std::vector<std::string> split_values(const std::string& cell, const std::string& separator, const std::string& field) {
  std::vector<std::string> values = split(cell, separator);
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i].empty())
      throw std::invalid_argument("empty value " + std::to_string(i + 1) + " in cell '" + cell +
                                  "' of multi-valued side info '" + field + "' (values separated by '" + separator +
                                  "')");
  return values;
}

Vocabularies build_vocabularies(const RawDataset& train, const Schema& features) {
  if (features.min_count == 0) throw std::invalid_argument("build_vocabularies: min_count must be at least 1");
  Vocabularies vocabularies;
  vocabularies.side_fields = train.side_fields;
  vocabularies.side_separator = value_separators(train.side_fields, features.multi_valued);

  IdCounts items;
  items.add_all(train.target_item);
  for (const auto& history : train.history_item) items.add_all(history);
  vocabularies.items = items.vocabulary(features.min_count);

  for (std::size_t f = 0; f < train.side_fields.size(); ++f) {
    const std::string& separator = vocabularies.side_separator[f];
    const std::string& field = train.side_fields[f];
    IdCounts values;
    for (const std::string& cell : train.target_side[f]) values.add_cell(cell, separator, field);
    for (const auto& history : train.history_side[f])
      for (const std::string& cell : history) values.add_cell(cell, separator, field);
    vocabularies.side.push_back(values.vocabulary(features.min_count));
  }

  vocabularies.has_users = train.has_users;
  if (train.has_users) {
    IdCounts users;
    users.add_all(train.users);
    vocabularies.users = users.vocabulary(features.min_count);
  }
  return vocabularies;
}

EncodedDataset encode(const RawDataset& data, const Vocabularies& vocabularies, std::size_t max_len) {
  if (data.side_fields != vocabularies.side_fields || data.has_users != vocabularies.has_users)
    throw std::invalid_argument("encode: the data's fields (side info and users) differ from the vocabularies'");
  if (max_len == 0) throw std::invalid_argument("encode: max_len must be at least 1");
  const std::size_t fields = data.side_fields.size();

  EncodedDataset out;
  out.side_fields = data.side_fields;
  out.has_users = data.has_users;
  out.labels = data.labels;
  out.click_probability = data.click_probability;
  out.target_item = lookup(vocabularies.items, data.target_item);
  std::vector<SideCells> side;
  for (std::size_t f = 0; f < fields; ++f) {
    const std::string& separator = vocabularies.side_separator[f];
    side.push_back({vocabularies.side[f], separator, data.side_fields[f], side_width(data, f, separator, max_len)});
    out.side_width.push_back(side[f].width);
    std::vector<std::int64_t> target;  // [N * W_f]
    target.reserve(data.size() * side[f].width);
    for (const std::string& cell : data.target_side[f]) side[f].append(cell, target);
    out.target_side.push_back(std::move(target));
  }
  if (data.has_users) {
    out.users = lookup(vocabularies.users, data.users);
    std::unordered_map<std::string, std::int64_t> group;
    for (const std::string& user : data.users)
      out.user_groups.push_back(group.emplace(user, static_cast<std::int64_t>(group.size())).first->second);
  }

  out.history_side.resize(fields);
  for (std::size_t row = 0; row < data.size(); ++row) {
    out.history_item.push_back(lookup(vocabularies.items, most_recent_first(data.history_item[row], max_len)));
    for (std::size_t f = 0; f < fields; ++f)
      out.history_side[f].push_back(side[f].encode_history(most_recent_first(data.history_side[f][row], max_len)));
    if (!data.relevant.empty()) out.relevant.push_back(most_recent_first(data.relevant[row], max_len));
    if (!data.timestamp.empty())
      out.time_gaps.push_back(
          most_recent_first(gaps_to_impression(data.timestamp[row], data.history_timestamps[row], row), max_len));
  }
  return out;
}

std::string decode_side_cell(const Vocabularies& vocabularies, std::size_t field, const std::int64_t* first,
                             std::size_t width) {
  std::vector<std::string> ids;
  for (std::size_t k = 0; k < width; ++k)
    if (first[k] != Vocabulary::kPadding) ids.push_back(vocabularies.side[field].id(first[k]));
  return join(ids, vocabularies.side_separator[field]);
}

void save_vocabularies(const Vocabularies& vocabularies, const std::string& directory) {
  vocabularies.items.save(directory + "/vocab_item.txt");
  if (vocabularies.has_users) vocabularies.users.save(directory + "/vocab_user.txt");
  for (std::size_t f = 0; f < vocabularies.side_fields.size(); ++f)
    vocabularies.side[f].save(side_file(directory, vocabularies.side_fields[f]));
}

Vocabularies load_vocabularies(const std::string& directory, const Schema& features) {
  Vocabularies vocabularies;
  vocabularies.side_fields = features.item_side;
  vocabularies.side_separator = value_separators(features.item_side, features.multi_valued);
  vocabularies.items = Vocabulary::load(directory + "/vocab_item.txt");
  for (const std::string& field : features.item_side)
    vocabularies.side.push_back(Vocabulary::load(side_file(directory, field)));
  vocabularies.has_users = !features.user.empty();
  if (vocabularies.has_users) vocabularies.users = Vocabulary::load(directory + "/vocab_user.txt");
  return vocabularies;
}

std::string first_vocabulary_difference(const Vocabularies& saved, const Vocabularies& rebuilt,
                                        const std::string& directory) {
  auto compare = [&](const Vocabulary& a, const Vocabulary& b, const std::string& file) -> std::string {
    auto entry = [](const Vocabulary& v, std::size_t i) {
      return i < v.size() ? "'" + v.id(std::int64_t(i)) + "'" : std::string("nothing (the list ends)");
    };
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
      if (i >= a.size() || i >= b.size() || a.id(std::int64_t(i)) != b.id(std::int64_t(i)))
        return file + ":" + std::to_string(i + 1) + ": the run has " + entry(a, i) + " where the data now gives " +
               entry(b, i);
    return "";
  };
  std::string difference = compare(saved.items, rebuilt.items, directory + "/vocab_item.txt");
  for (std::size_t f = 0; difference.empty() && f < saved.side_fields.size(); ++f)
    difference = compare(saved.side[f], rebuilt.side[f], side_file(directory, saved.side_fields[f]));
  if (difference.empty() && saved.has_users)
    difference = compare(saved.users, rebuilt.users, directory + "/vocab_user.txt");
  return difference;
}

}  // namespace recgrad
