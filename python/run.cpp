// A trained run directory in Python: what `recgrad eval`, `predict` and `explain` compute
// (train/commands.cpp), returned as NumPy arrays and plain values instead of printed.
#include <algorithm>
#include <cmath>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/ops.h"
#include "train/data_setup.h"
#include "train/evaluate.h"
#include "train/explain.h"
#include "train/run_dir.h"
#include "python/bindings.h"

namespace recgrad::python {

namespace {

// Data to score: a TSV in the run's format, or (None) the run's own test split, as the commands.
EncodedDataset data_of(const LoadedRun& run, const std::optional<std::string>& path,
                       LabelColumn label_column = LabelColumn::Required) {
  return data_for(run, path.value_or(""), label_column);
}

py::array_t<double> predict_run(LoadedRun& run, const std::optional<std::string>& data) {
  const EncodedDataset encoded = data_of(run, data, LabelColumn::Optional);
  const std::vector<double> p = predict(*run.model, encoded, run.config.training.batch_size);
  return py::array_t<double>(py::ssize_t(p.size()), p.data());
}

py::dict evaluate_run(LoadedRun& run, const std::optional<std::string>& data) {
  const EncodedDataset encoded = data_of(run, data);
  const Evaluation e = evaluate(predict(*run.model, encoded, run.config.training.batch_size), encoded);
  return py::dict(py::arg("auc") = e.auc, py::arg("logloss") = e.logloss, py::arg("gauc") = e.gauc,
                  py::arg("impressions") = encoded.size());
}

py::dict as_dict(const ItemDescription& e, const std::vector<std::string>& fields) {
  py::dict d;
  d["item"] = e.id;
  for (std::size_t f = 0; f < fields.size(); ++f) d[py::str(fields[f])] = e.side[f];
  return d;
}

// One impression as `recgrad explain --line` shows it (train/explain.h): the target, p(click), the
// history ranked by attention weight, and the per-head weights [h, n] by position (0 = most recent).
py::dict explain_run(LoadedRun& run, std::int64_t line, const std::optional<std::string>& data) {
  if (line < 1) throw std::invalid_argument("explain: line must be at least 1, got " + std::to_string(line));
  const EncodedDataset encoded = data_of(run, data);
  const Explanation x = explain_impression(run, encoded, std::size_t(line) - 1);
  const std::vector<std::string>& fields = run.vocabularies.side_fields;
  py::array_t<double> head_weights({py::ssize_t(x.heads), py::ssize_t(x.history.size())});
  auto hw = head_weights.mutable_unchecked<2>();
  py::list history;
  for (const AttendedItem& a : x.history) {
    for (std::size_t h = 0; h < x.heads; ++h) hw(py::ssize_t(h), py::ssize_t(a.position)) = a.head_weights[h];
    py::dict item = as_dict(a.item, fields);
    item["position"] = a.position;
    item["weight"] = a.weight;
    history.append(item);
  }
  return py::dict(py::arg("line") = line, py::arg("label") = x.label, py::arg("probability") = x.probability,
                  py::arg("target") = as_dict(x.target, fields), py::arg("history") = history,
                  py::arg("head_weights") = head_weights);
}

template <class T>
py::array_t<T> array_of(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  return py::array_t<T>(shape, values.data());
}

// Every impression's attention (train/explain.h: DatasetAttention) as NumPy arrays: weights [N, h, T]
// (0 at padding), lengths [N], encoded ids of target [N] and history [N, T], side info by field name
// (the first value of a multi-valued cell).
py::dict attention_run(LoadedRun& run, const std::optional<std::string>& data) {
  const DatasetAttention a = dataset_attention(run, data_of(run, data));
  const py::ssize_t N = py::ssize_t(a.impressions), h = py::ssize_t(a.heads), T = py::ssize_t(a.T);
  py::dict target_side, history_side;
  const std::vector<std::string>& fields = run.vocabularies.side_fields;
  for (std::size_t f = 0; f < fields.size(); ++f) {
    target_side[py::str(fields[f])] = array_of(a.target_side[f], {N});
    history_side[py::str(fields[f])] = array_of(a.history_side[f], {N, T});
  }
  const std::vector<std::int64_t> lengths(a.lengths.begin(), a.lengths.end());
  return py::dict(py::arg("weights") = array_of(a.weights, {N, h, T}), py::arg("lengths") = array_of(lengths, {N}),
                  py::arg("target_item") = array_of(a.target_item, {N}),
                  py::arg("history_item") = array_of(a.history_item, {N, T}),
                  py::arg("target_side") = target_side, py::arg("history_side") = history_side);
}

// The data lines (1-based, as explain's `line`) of one user's impressions, as `explain --user` picks them.
std::vector<std::int64_t> lines_of_user(const LoadedRun& run, const std::string& user,
                                        const std::optional<std::string>& data) {
  std::vector<std::int64_t> lines;
  for (std::size_t row : rows_of_user(run, data_of(run, data), user)) lines.push_back(std::int64_t(row) + 1);
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
      .def("attention", &attention_run, py::arg("data") = py::none(),
           "Every impression's attention in one batched pass: {weights [N, h, T] (0 at padding), lengths [N], "
           "target_item [N], history_item [N, T], target_side {field: [N]}, history_side {field: [N, T]}}; "
           "encoded ids (0 padding, 1 out of vocabulary), the first value of a multi-valued field.")
      .def("lines_of_user", &lines_of_user, py::arg("user"), py::arg("data") = py::none());
  m.def("load_run", [](const py::object& dir) {  // a str or a pathlib.Path
        return std::make_shared<LoadedRun>(load_run(py::str(py::module_::import("os").attr("fspath")(dir))));
      }, py::arg("dir"), "A run directory (str or os.PathLike) as recgrad eval/predict/explain read it.");
}

}  // namespace recgrad::python
