#pragma once
// Scoring a dataset with a trained model, and the numbers a run reports about it.
#include <functional>

#include "data/batcher.h"
#include "data/dataset.h"
#include "models/click_model.h"

namespace recgrad {

// Runs the model over `data` in dataset order, in eval mode and without recording a graph, and
// calls visit(batch, output) for each batch. The model's train/eval mode is restored afterwards.
void for_each_prediction(ClickModel& model, const EncodedDataset& data, std::size_t batch_size,
                         const std::function<void(const Batch&, const ClickOutput&)>& visit);

// Click probabilities sigmoid(logit), one per impression, in dataset order.
std::vector<double> predict(ClickModel& model, const EncodedDataset& data, std::size_t batch_size);

struct Evaluation {
  double auc = 0;   // NaN when the data has one class only (AUC is undefined)
  double logloss = 0;
  double gauc = 0;  // NaN without a user column, or when no user has both a click and a non-click
};
Evaluation evaluate(const std::vector<double>& probabilities, const EncodedDataset& data);

// How much attention lands on the history items that really matter (synthetic data knows them: same
// category as the target). Over impressions with at least one relevant and one other history item:
//   relevant_mass  = mean of (weight on relevant items / total weight)   (heads averaged)
//   relevant_share = mean of (relevant items / history length)
// A model that ignores relevance has mass = share; ratio = mass / share.
struct AttentionRelevance {
  double relevant_mass = 0, relevant_share = 0, ratio = 0;
  std::size_t impressions = 0;
};

// One pass over `data`: the click probabilities and, when the data knows relevance (synthetic), the
// attention relevance. The trainer scores the test split once this way, at the end of a run.
struct Scores {
  std::vector<double> probabilities;
  AttentionRelevance relevance;  // all zero without relevance information
};
Scores score(ClickModel& model, const EncodedDataset& data, std::size_t batch_size);

}  // namespace recgrad
