#include "data/encoder.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <unordered_map>

namespace recgrad {
namespace {

std::set<std::string> id_set(const std::vector<std::string>& targets, const std::vector<std::vector<std::string>>& histories) {
  std::set<std::string> ids(targets.begin(), targets.end());
  for (const auto& history : histories) ids.insert(history.begin(), history.end());
  return ids;
}

std::vector<std::int64_t> lookup(const Vocabulary& vocabulary, const std::vector<std::string>& ids) {
  std::vector<std::int64_t> indices;
  indices.reserve(ids.size());
  for (const std::string& id : ids) indices.push_back(vocabulary.index(id));
  return indices;
}

std::string side_file(const std::string& directory, const std::string& field) {
  if (field.find('/') != std::string::npos)
    throw std::invalid_argument("vocabularies: side-info field name '" + field + "' cannot name a file (it holds '/')");
  return directory + "/vocab_side_" + field + ".txt";
}

}  // namespace

Vocabularies build_vocabularies(const RawDataset& train) {
  Vocabularies vocabularies;
  vocabularies.side_fields = train.side_fields;
  vocabularies.items = Vocabulary(id_set(train.target_item, train.history_item));
  for (std::size_t f = 0; f < train.side_fields.size(); ++f)
    vocabularies.side.emplace_back(id_set(train.target_side[f], train.history_side[f]));
  vocabularies.has_users = train.has_users;
  if (train.has_users) vocabularies.users = Vocabulary(std::set<std::string>(train.users.begin(), train.users.end()));
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
  for (std::size_t f = 0; f < fields; ++f) out.target_side.push_back(lookup(vocabularies.side[f], data.target_side[f]));
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
      out.history_side[f].push_back(lookup(vocabularies.side[f], most_recent_first(data.history_side[f][row], max_len)));
    if (!data.relevant.empty()) out.relevant.push_back(most_recent_first(data.relevant[row], max_len));
  }
  return out;
}

void save_vocabularies(const Vocabularies& vocabularies, const std::string& directory) {
  vocabularies.items.save(directory + "/vocab_item.txt");
  if (vocabularies.has_users) vocabularies.users.save(directory + "/vocab_user.txt");
  for (std::size_t f = 0; f < vocabularies.side_fields.size(); ++f)
    vocabularies.side[f].save(side_file(directory, vocabularies.side_fields[f]));
}

Vocabularies load_vocabularies(const std::string& directory, const std::vector<std::string>& side_fields,
                               bool has_users) {
  Vocabularies vocabularies;
  vocabularies.side_fields = side_fields;
  vocabularies.items = Vocabulary::load(directory + "/vocab_item.txt");
  for (const std::string& field : side_fields) vocabularies.side.push_back(Vocabulary::load(side_file(directory, field)));
  vocabularies.has_users = has_users;
  if (has_users) vocabularies.users = Vocabulary::load(directory + "/vocab_user.txt");
  return vocabularies;
}

}  // namespace recgrad
