// Chapter 2 of the walkthrough: target attention on a hand-made example.
// Items are vectors over four interpretable directions (sport, cooking, travel, music), so a dot
// product reads as "how much do these two items share". The candidate (query) is a pair of trail
// running shoes; the history (keys = values) is what the user clicked.
//   scores  = q · k_t                        [1, 1, T]
//   softmax weights sum to 1: the output is an average of the history
//   raw weights (DIN's choice) keep their size: the output grows with how much of the history matches
// Prints JSON: the items, the scores, both kinds of weights and outputs, the same for a user whose
// history holds every sport item twice ("enthusiast"), and a padded batch showing that padded
// positions get weight exactly 0.
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "layers/dot_attention.h"

using namespace recgrad;
using nlohmann::json;

namespace {
struct Item {
  std::string name;
  std::vector<double> vec;  // sport, cooking, travel, music
};

const Item kCandidate{"trail running shoes", {1.0, 0.0, 0.6, 0.0}};
const std::vector<Item> kHistory{
    {"football", {0.9, 0.0, 0.0, 0.1}},     {"cookbook", {0.0, 1.0, 0.1, 0.0}},
    {"hiking boots", {0.6, 0.0, 0.8, 0.0}}, {"guitar strings", {0.0, 0.0, 0.0, 1.0}},
    {"travel guide", {0.0, 0.1, 1.0, 0.0}},
};

Tensor stack(const std::vector<Item>& items) {  // [1, T, 4]
  std::vector<double> values;
  for (const Item& it : items) values.insert(values.end(), it.vec.begin(), it.vec.end());
  return Tensor::from_vector({1, items.size(), 4}, values, DType::Float64);
}

// Both choices of DotProductAttention on one user: weights [T] and pooled output [4].
json attend(const std::vector<Item>& history) {
  const Tensor query = stack({kCandidate});  // [1, 1, 4]
  const Tensor keys = stack(history);        // [1, T, 4]; values are the same items
  json result{{"items", json::array()}};
  for (const Item& it : history) result["items"].push_back(it.name);
  for (const bool softmax : {true, false}) {
    const AttentionOutput a = DotProductAttention(softmax).forward(query, keys, keys);
    const std::string kind = softmax ? "softmax" : "raw";
    result[kind] = {{"weights", a.weights.to_vector()}, {"output", a.output.to_vector()}};
  }
  return result;
}
}  // namespace

int main() {
  json out;
  out["dims"] = {"sport", "cooking", "travel", "music"};
  out["candidate"] = {{"name", kCandidate.name}, {"vec", kCandidate.vec}};
  out["history"] = json::array();
  for (const Item& it : kHistory) out["history"].push_back({{"name", it.name}, {"vec", it.vec}});
  out["user"] = attend(kHistory);

  std::vector<Item> enthusiast = kHistory;
  for (const Item& it : kHistory)
    if (it.vec[0] > 0.5) enthusiast.push_back(it);
  out["enthusiast"] = attend(enthusiast);

  // Two users in one batch: the second has only 2 items, padded to T = 5 with zero vectors.
  std::vector<double> values = stack(kHistory).to_vector();
  const std::vector<double> short_user = stack({kHistory[0], kHistory[1]}).to_vector();
  values.insert(values.end(), short_user.begin(), short_user.end());
  values.resize(2 * 5 * 4, 0.0);
  const Tensor keys = Tensor::from_vector({2, 5, 4}, values, DType::Float64);
  const std::vector<double> q = kCandidate.vec;
  std::vector<double> queries(q.begin(), q.end());
  queries.insert(queries.end(), q.begin(), q.end());
  const Tensor query = Tensor::from_vector({2, 1, 4}, queries, DType::Float64);
  const Tensor mask = padding_mask({5, 2}, 5, DType::Float64);  // [2, 5], 1 = padded
  const AttentionOutput padded = DotProductAttention(true).forward(query, keys, keys, mask);
  out["padded_batch"] = {{"lengths", {5, 2}}, {"key_padding_mask", mask.to_vector()},
                         {"weights", padded.weights.to_vector()}};
  std::cout << out.dump(2) << "\n";
  return 0;
}
