// A trained run directory in Python: what `recgrad eval`, `predict` and `explain` compute
// (train/commands.cpp), returned as NumPy arrays and plain values instead of printed.
#include <algorithm>
#include <cmath>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "train/data_setup.h"
#include "train/evaluate.h"
#include "train/run_dir.h"
#include "python/bindings.h"

namespace recgrad::python {

namespace {

// Data to score: a TSV in the run's format, or (None) the run's own test split, as the commands.
EncodedDataset data_for(const LoadedRun& run, const std::optional<std::string>& path,
                        LabelColumn label_column = LabelColumn::Required) {
  if (path) return load_encoded(*path, run.config.features, run.vocabularies, label_column);
  return prepare_data(run.config).test;
}

py::array_t<double> predict_run(LoadedRun& run, const std::optional<std::string>& data) {
  const EncodedDataset encoded = data_for(run, data, LabelColumn::Optional);
  const std::vector<double> p = predict(*run.model, encoded, run.config.training.batch_size);
  return py::array_t<double>(py::ssize_t(p.size()), p.data());
}

py::dict evaluate_run(LoadedRun& run, const std::optional<std::string>& data) {
  const EncodedDataset encoded = data_for(run, data);
  const Evaluation e = evaluate(predict(*run.model, encoded, run.config.training.batch_size), encoded);
  return py::dict(py::arg("auc") = e.auc, py::arg("logloss") = e.logloss, py::arg("gauc") = e.gauc,
                  py::arg("impressions") = encoded.size());
}

// One impression as `recgrad explain --line` shows it: the target, p(click), and the history items
// ranked by attention weight (averaged over heads), with the per-head weights [h, n] by position.
py::dict explain_run(LoadedRun& run, std::int64_t line, const std::optional<std::string>& data) {
  if (line < 1) throw std::invalid_argument("explain: line must be at least 1, got " + std::to_string(line));
  const EncodedDataset encoded = data_for(run, data);
  if (std::size_t(line) > encoded.size())
    throw std::invalid_argument("explain: line " + std::to_string(line) + " is outside the data's " +
                                std::to_string(encoded.size()) + " impressions");
  const Vocabularies& v = run.vocabularies;
  const Batch batch = make_batch(encoded, {std::size_t(line) - 1});
  ClickOutput out;
  {
    NoGradGuard no_grad;
    out = run.model->forward(batch);
  }
  const std::vector<double> w = out.attention.to_vector();  // [1, (h,) 1, T]
  const std::size_t T = batch.T, heads = w.size() / T, n = batch.lengths[0];

  auto item_fields = [&](std::int64_t item, const std::vector<const std::int64_t*>& side) {
    py::dict d;
    d["item"] = v.items.id(item);
    for (std::size_t f = 0; f < v.side.size(); ++f)
      d[py::str(v.side_fields[f])] = decode_side_cell(v, f, side[f], batch.side_width[f]);
    return d;
  };
  std::vector<const std::int64_t*> target_side;
  for (const auto& s : batch.target_side) target_side.push_back(s.data());

  py::array_t<double> head_weights({py::ssize_t(heads), py::ssize_t(n)});
  auto hw = head_weights.mutable_unchecked<2>();
  std::vector<double> mean_weight(n, 0.0);
  for (std::size_t h = 0; h < heads; ++h)
    for (std::size_t t = 0; t < n; ++t) {
      hw(h, t) = w[h * T + t];
      mean_weight[t] += w[h * T + t] / double(heads);
    }
  std::vector<std::size_t> order(n);
  for (std::size_t t = 0; t < n; ++t) order[t] = t;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mean_weight[a] > mean_weight[b]; });
  py::list history;
  for (std::size_t t : order) {
    std::vector<const std::int64_t*> side;
    for (std::size_t f = 0; f < batch.history_side.size(); ++f)
      side.push_back(batch.history_side[f].data() + t * batch.side_width[f]);
    py::dict item = item_fields(batch.history_item[t], side);
    item["position"] = t;  // 0 = most recent behaviour
    item["weight"] = mean_weight[t];
    history.append(item);
  }
  return py::dict(py::arg("line") = line, py::arg("label") = encoded.labels[std::size_t(line) - 1],
                  py::arg("probability") = 1.0 / (1.0 + std::exp(-out.logits.item())),
                  py::arg("target") = item_fields(batch.target_item[0], target_side), py::arg("history") = history,
                  py::arg("head_weights") = head_weights);
}

// The data lines (1-based, as explain's `line`) of one user's impressions, as `explain --user` picks them.
std::vector<std::int64_t> lines_of_user(const LoadedRun& run, const std::string& user,
                                        const std::optional<std::string>& data) {
  const Vocabularies& v = run.vocabularies;
  if (!v.has_users) throw std::invalid_argument("this run has no user column; use line numbers");
  const std::int64_t index = v.users.index(user);
  if (index == Vocabulary::kOutOfVocabulary) throw std::invalid_argument("user \"" + user + "\" is not in the training data");
  const EncodedDataset encoded = data_for(run, data);
  std::vector<std::int64_t> lines;
  for (std::size_t r = 0; r < encoded.size(); ++r)
    if (encoded.users[r] == index) lines.push_back(std::int64_t(r) + 1);
  return lines;
}

}  // namespace

void bind_run(py::module_& m) {
  py::class_<LoadedRun, std::shared_ptr<LoadedRun>>(m, "Run", "A run directory's best model, vocabularies and config.")
      .def_readonly("dir", &LoadedRun::dir)
      .def_property_readonly("config", [](const LoadedRun& run) {
            return py::module_::import("json").attr("loads")(to_json(run.config).dump());
          }, "The resolved config as a dict.")
      .def_property_readonly("model", [](const LoadedRun& run) { return run.model.get(); },
                             py::return_value_policy::reference_internal)
      .def("predict", &predict_run, py::arg("data") = py::none(),
           "Click probabilities, one per impression of `data` (a TSV; None: the run's test split), as `recgrad predict`.")
      .def("evaluate", &evaluate_run, py::arg("data") = py::none(), "{auc, logloss, gauc, impressions}, as `recgrad eval`.")
      .def("explain", &explain_run, py::arg("line") = 1, py::arg("data") = py::none(),
           "One impression's target, probability and history ranked by attention weight, as `recgrad explain`.")
      .def("lines_of_user", &lines_of_user, py::arg("user"), py::arg("data") = py::none());
  m.def("load_run", [](const std::string& dir) { return std::make_shared<LoadedRun>(load_run(dir)); }, py::arg("dir"));
}

}  // namespace recgrad::python
