#include "train/explain.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "train/data_setup.h"
#include "train/evaluate.h"

namespace recgrad {

EncodedDataset data_for(const LoadedRun& run, const std::string& path, LabelColumn label_column) {
  if (!path.empty()) return load_encoded(path, run.config.features, run.vocabularies, label_column);
  return prepare_data(run.config).test;
}

Explanation explain_impression(LoadedRun& run, const EncodedDataset& data, std::size_t row) {
  if (row >= data.size())
    throw std::invalid_argument("line " + std::to_string(row + 1) + " is outside the data's " +
                                std::to_string(data.size()) + " impressions");
  const Vocabularies& v = run.vocabularies;
  const Batch batch = make_batch(data, {row});
  ClickOutput out;
  {
    NoGradGuard no_grad;
    out = run.model->forward(batch);
  }
  const std::vector<double> w = out.attention.to_vector();  // [1, (h,) 1, T]
  const std::size_t T = batch.T, n = batch.lengths[0];

  // item id and decoded side cells of the target (t < 0) or history position t
  auto describe = [&](std::int64_t item, std::ptrdiff_t t) {
    ItemDescription e{v.items.id(item), {}};
    for (std::size_t f = 0; f < v.side.size(); ++f) {
      const std::size_t W = batch.side_width[f];
      const std::int64_t* cell = t < 0 ? batch.target_side[f].data() : batch.history_side[f].data() + t * W;
      e.side.push_back(decode_side_cell(v, f, cell, W));
    }
    return e;
  };

  Explanation x;
  x.row = row;
  x.label = data.labels[row];
  x.probability = 1.0 / (1.0 + std::exp(-out.logits.item()));
  x.target = describe(batch.target_item[0], -1);
  x.heads = w.size() / T;
  for (std::size_t t = 0; t < n; ++t) {
    AttendedItem a;
    a.item = describe(batch.history_item[t], std::ptrdiff_t(t));
    a.position = t;
    for (std::size_t h = 0; h < x.heads; ++h) a.head_weights.push_back(w[h * T + t]);
    for (double hw : a.head_weights) a.weight += hw / double(x.heads);
    x.history.push_back(a);
  }
  std::stable_sort(x.history.begin(), x.history.end(),
                   [](const AttendedItem& a, const AttendedItem& b) { return a.weight > b.weight; });
  return x;
}

DatasetAttention dataset_attention(LoadedRun& run, const EncodedDataset& data) {
  if (data.size() == 0) throw std::invalid_argument("attention: the data has no impressions");
  DatasetAttention a;
  const std::size_t N = data.size(), fields = data.side_fields.size();
  a.impressions = N;
  a.T = 1;
  for (const auto& history : data.history_item) a.T = std::max(a.T, history.size());
  const std::size_t T = a.T;
  a.lengths.resize(N);
  a.target_item.resize(N);
  a.history_item.assign(N * T, 0);
  a.target_side.assign(fields, std::vector<std::int64_t>(N, 0));
  a.history_side.assign(fields, std::vector<std::int64_t>(N * T, 0));
  for_each_prediction(*run.model, data, run.config.training.batch_size, [&](const Batch& batch, const ClickOutput& out) {
    const std::vector<double> w = out.attention.to_vector();  // [B, (h,) 1, Tb]
    const std::size_t B = batch.B, Tb = batch.T;
    a.heads = w.size() / (B * Tb);
    a.weights.resize(N * a.heads * T);  // sized once the first batch tells h
    for (std::size_t b = 0; b < B; ++b) {
      const std::size_t r = batch.rows[b], n = batch.lengths[b];
      a.lengths[r] = n;
      a.target_item[r] = batch.target_item[b];
      for (std::size_t f = 0; f < fields; ++f) a.target_side[f][r] = batch.target_side[f][b * batch.side_width[f]];
      for (std::size_t t = 0; t < n; ++t) {  // padded slots stay 0
        for (std::size_t h = 0; h < a.heads; ++h) a.weights[(r * a.heads + h) * T + t] = w[(b * a.heads + h) * Tb + t];
        a.history_item[r * T + t] = batch.history_item[b * Tb + t];
        for (std::size_t f = 0; f < fields; ++f)
          a.history_side[f][r * T + t] = batch.history_side[f][(b * Tb + t) * batch.side_width[f]];
      }
    }
  });
  return a;
}

std::vector<std::size_t> rows_of_user(const LoadedRun& run, const EncodedDataset& data, const std::string& user) {
  const Vocabularies& v = run.vocabularies;
  if (!v.has_users) throw std::invalid_argument("this run has no user column; use line numbers");
  const std::int64_t index = v.users.index(user);
  if (index == Vocabulary::kOutOfVocabulary) throw std::invalid_argument("user \"" + user + "\" is not in the training data");
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < data.size(); ++r)
    if (data.users[r] == index) rows.push_back(r);
  if (rows.empty()) throw std::invalid_argument("user \"" + user + "\" has no impression in this data");
  return rows;
}

}  // namespace recgrad
