#include "train/data_setup.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/core.h>

#include "data/split.h"
#include "data/synthetic.h"
#include "data/tsv_reader.h"

namespace recgrad {

namespace {
// Keeps the side-info fields the config asks for (by name, in its order) and drops the user column
// when it asks for none, so that ablations run on the same synthetic impressions.
void select_features(RawDataset& data, const Schema& schema) {
  std::vector<std::vector<std::string>> target_side;
  std::vector<std::vector<std::vector<std::string>>> history_side;
  for (const std::string& field : schema.item_side) {
    auto it = std::find(data.side_fields.begin(), data.side_fields.end(), field);
    if (it == data.side_fields.end()) throw std::invalid_argument("data has no side-info field \"" + field + "\"");
    const std::size_t f = std::size_t(it - data.side_fields.begin());
    target_side.push_back(std::move(data.target_side[f]));
    history_side.push_back(std::move(data.history_side[f]));
  }
  data.side_fields = schema.item_side;
  data.target_side = std::move(target_side);
  data.history_side = std::move(history_side);
  if (schema.user.empty()) {
    data.has_users = false;
    data.users.clear();
  }
  if (schema.timestamp.empty()) {
    data.timestamp.clear();
    data.history_timestamps.clear();
  }
}
}  // namespace

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path.front() == '/' || base_dir.empty() || base_dir == ".") return path;
  return base_dir + "/" + path;
}

namespace {
// An empty split is an error; a split of one class is a warning: its AUC is undefined (null), while
// logloss is not, and a run on it goes on (leave-one-out splits, a short log).
void check_split(const RawDataset& split, const std::string& name, const std::string& hint) {
  if (split.size() == 0) throw std::invalid_argument("the " + name + " split is empty" + hint);
  const auto clicks = std::count(split.labels.begin(), split.labels.end(), 1.0);
  if (clicks == 0 || clicks == std::ptrdiff_t(split.size()))
    fmt::print(stderr, "recgrad: warning: the {} split has only {} ({} impressions): its AUC is undefined (null)\n",
               name, clicks ? "clicks" : "non-clicks", split.size());
}
}  // namespace

PreparedData prepare_data(const RunConfig& config) {
  RawDataset train, valid, test;
  if (config.data.source == "synthetic") {
    RawDataset all = generate_synthetic(config.data.synthetic);
    select_features(all, config.features);
    DataSplit split = random_split(all, config.data.test_fraction, config.data.synthetic.seed);
    test = std::move(split.test);
    // Another seed than the test split's, so validation is a fresh draw from the training part.
    split = random_split(split.train, config.data.validation_fraction, config.data.synthetic.seed + 1);
    train = std::move(split.train);
    valid = std::move(split.test);
  } else {
    DataSplit split = split_last_per_user(read_tsv(resolve_path(config.data.train, config.config_dir), config.features),
                                          config.data.validation_fraction);
    train = std::move(split.train);
    valid = std::move(split.test);
    test = read_tsv(resolve_path(config.data.test, config.config_dir), config.features);
  }
  if (train.size() == 0) throw std::invalid_argument("the training split is empty");
  check_split(valid, "validation", " (raise data.validation_fraction)");
  check_split(test, "test", "");
  PreparedData data;
  data.vocabularies = build_vocabularies(train, config.features);
  data.train = encode(train, data.vocabularies, config.features.max_len);
  data.valid = encode(valid, data.vocabularies, config.features.max_len);
  data.test = encode(test, data.vocabularies, config.features.max_len);
  return data;
}

FeatureSizes feature_sizes(const Vocabularies& v, std::size_t max_len) {
  FeatureSizes sizes;
  sizes.items = v.items.size();
  sizes.side_names = v.side_fields;
  for (const Vocabulary& side : v.side) sizes.side.push_back(side.size());
  sizes.users = v.has_users ? v.users.size() : 0;
  sizes.max_len = max_len;
  return sizes;
}

EncodedDataset load_encoded(const std::string& path, const Schema& schema, const Vocabularies& vocabularies,
                            LabelColumn label_column) {
  return encode(read_tsv(path, schema, label_column), vocabularies, schema.max_len);
}

}  // namespace recgrad
