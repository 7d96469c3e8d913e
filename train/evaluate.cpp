#include "train/evaluate.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "metrics/metrics.h"

namespace recgrad {

void for_each_prediction(ClickModel& model, const EncodedDataset& data, std::size_t batch_size,
                         const std::function<void(const Batch&, const ClickOutput&)>& visit) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  BatcherOptions options;
  options.batch_size = batch_size;
  options.shuffle = false;
  Batcher batcher(data, options);
  Batch batch;
  while (batcher.next(batch)) visit(batch, model.forward(batch));
  model.train(was_training);
}

namespace {
double sigmoid(double logit) { return 1.0 / (1.0 + std::exp(-logit)); }

// Adds one batch's attention to the relevance sums (see AttentionRelevance).
void add_relevance(const Batch& batch, const ClickOutput& out, const EncodedDataset& data, double& mass, double& share,
                   std::size_t& impressions) {
  const std::vector<double> w = out.attention.to_vector();  // [B, (h,) 1, T]
  const std::size_t B = batch.B, T = batch.T, heads = w.size() / (B * T);
  for (std::size_t b = 0; b < B; ++b) {
    const std::vector<bool>& relevant = data.relevant[batch.rows[b]];
    const std::size_t n = batch.lengths[b];
    std::size_t n_relevant = 0;
    for (std::size_t t = 0; t < n; ++t) n_relevant += relevant[t];
    if (n_relevant == 0 || n_relevant == n) continue;
    double on_relevant = 0, total = 0;
    for (std::size_t h = 0; h < heads; ++h)
      for (std::size_t t = 0; t < n; ++t) {
        const double weight = std::abs(w[(b * heads + h) * T + t]);  // raw DIN weights may be negative
        total += weight;
        if (relevant[t]) on_relevant += weight;
      }
    if (total == 0) continue;
    mass += on_relevant / total;
    share += double(n_relevant) / double(n);
    ++impressions;
  }
}
}  // namespace

Scores score(ClickModel& model, const EncodedDataset& data, std::size_t batch_size) {
  Scores s;
  s.probabilities.reserve(data.size());
  double mass = 0, share = 0;
  AttentionRelevance& r = s.relevance;
  for_each_prediction(model, data, batch_size, [&](const Batch& batch, const ClickOutput& out) {
    for (double logit : out.logits.to_vector()) s.probabilities.push_back(sigmoid(logit));
    if (!data.relevant.empty()) add_relevance(batch, out, data, mass, share, r.impressions);
  });
  if (r.impressions > 0) {
    r.relevant_mass = mass / double(r.impressions);
    r.relevant_share = share / double(r.impressions);
    r.ratio = r.relevant_mass / r.relevant_share;
  }
  return s;
}

std::vector<double> predict(ClickModel& model, const EncodedDataset& data, std::size_t batch_size) {
  return score(model, data, batch_size).probabilities;
}

Evaluation evaluate(const std::vector<double>& probabilities, const EncodedDataset& data) {
  Evaluation e;
  // With one class AUC is undefined: NaN here (null in JSON), and training goes on (docs/formats.md).
  const auto clicks = std::count(data.labels.begin(), data.labels.end(), 1.0);
  const bool both_classes = clicks > 0 && clicks < std::ptrdiff_t(data.labels.size());
  e.auc = both_classes ? auc(probabilities, data.labels) : std::nan("");
  e.logloss = logloss(probabilities, data.labels);
  // GAUC groups by user: without a user column it is undefined (NaN, written as null).
  e.gauc = data.user_groups.empty() ? std::nan("") : gauc(probabilities, data.labels, data.user_groups);
  return e;
}

}  // namespace recgrad
