#include "train/commands.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "core/blas.h"
#include "data/events.h"
#include "data/movielens.h"
#include "io/atomic_file.h"
#include "train/data_setup.h"
#include "train/evaluate.h"
#include "train/model_gradcheck.h"
#include "train/run_dir.h"
#include "train/trainer.h"

namespace recgrad {

namespace {
// Ctrl-C (SIGINT), `kill` and schedulers (SIGTERM), a closed terminal (SIGHUP): the first one lets the
// current step finish, saves a checkpoint and exits 128 + signal. Before the first step there is nothing
// to save, and a second signal means "now": both exit at once (checkpoints are written atomically, so
// the last complete one stays; what set-up wrote is in "<dir>.setup", which the next run replaces).
std::atomic<int> g_stop_signal{0};
std::atomic<bool> g_stepping{false};

extern "C" void on_stop_signal(int signal) {
  if (!g_stepping.load() || g_stop_signal.load() != 0) std::_Exit(128 + signal);
  g_stop_signal = signal;
}

const char* signal_name(int signal) {
  return signal == SIGTERM ? "SIGTERM" : signal == SIGHUP ? "SIGHUP" : "SIGINT";
}

// The data a run command scores: a TSV in the run's format, or the run's own test split.
EncodedDataset data_for(const LoadedRun& run, const std::string& path) {
  if (!path.empty()) return load_encoded(path, run.config.features, run.vocabularies);
  return prepare_data(run.config).test;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
}  // namespace

int run_train(const TrainArgs& args) {
  RunConfig config;
  TrainOptions options;
  options.quiet = args.quiet;
  if (!args.resume_dir.empty()) {
    if (!args.config.empty()) throw std::invalid_argument("give either a CONFIG or --resume DIR (which has its own config)");
    if (!args.out_dir.empty()) throw std::invalid_argument("--out does not go with --resume: the run stays in its directory");
    if (!std::filesystem::exists(args.resume_dir + "/" + run_files::kCheckpoint))
      throw std::invalid_argument(args.resume_dir + ": nothing to resume (no " + run_files::kCheckpoint + ")");
    config = load_run_config(args.resume_dir + "/" + run_files::kConfig, args.overrides);
    options.run_dir = args.resume_dir;
    options.resume = true;
  } else {
    if (args.config.empty()) throw std::invalid_argument("train needs a CONFIG (e.g. configs/default.json) or --resume DIR");
    config = load_run_config(args.config, args.overrides);
    options.run_dir = args.out_dir.empty() ? config.output.dir : args.out_dir;
  }
  blas::set_threads(int(config.training.threads));
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, on_stop_signal);
  options.should_stop = [](std::int64_t) {  // asked after every step
    g_stepping = true;
    return g_stop_signal.load() != 0;
  };

  const nlohmann::json summary = train(config, options);
  if (summary.contains("finished_before")) {
    fmt::print("{} has finished (its summary.json is written): nothing to resume; recgrad eval {} scores it\n",
               options.run_dir, options.run_dir);
    return 0;
  }
  if (summary.contains("interrupted_at_step")) {
    const int signal = g_stop_signal.load();
    fmt::print(stderr, "interrupted by {} at step {}; continue with: recgrad train --resume {}\n", signal_name(signal),
               summary["interrupted_at_step"].get<std::int64_t>(), options.run_dir);
    return 128 + signal;
  }
  auto shown = [&](const char* key) {  // AUC and GAUC may be undefined (NaN) on one-class data
    const double x = summary[key].get<double>();
    return std::isnan(x) ? std::string("undefined") : fmt::format("{:.4f}", x);
  };
  std::string line = fmt::format("test AUC {}  logloss {:.4f}  GAUC {}  (best validation AUC {})", shown("test_auc"),
                                 summary["test_logloss"].get<double>(), shown("test_gauc"), shown("valid_auc"));
  if (summary.contains("bayes_auc")) line += fmt::format("  (Bayes-optimal AUC {:.4f})", summary["bayes_auc"].get<double>());
  fmt::print("{}\n{:.0f} samples/s; run directory {}\n", line, summary["train_samples_per_s"].get<double>(),
             options.run_dir);
  return 0;
}

int run_eval(const EvalArgs& args) {
  LoadedRun run = load_run(args.run_dir);
  const EncodedDataset data = data_for(run, args.data);
  const Evaluation e = evaluate(predict(*run.model, data, run.config.training.batch_size), data);
  fmt::print("{}\n", nlohmann::json{{"auc", e.auc}, {"logloss", e.logloss}, {"gauc", e.gauc}, {"impressions", data.size()}}.dump());
  return 0;
}

int run_predict(const PredictArgs& args) {
  LoadedRun run = load_run(args.run_dir);
  const EncodedDataset data = load_encoded(args.data, run.config.features, run.vocabularies, LabelColumn::Optional);
  const std::vector<double> p = predict(*run.model, data, run.config.training.batch_size);
  std::string out = "line\tprobability\n";
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (!std::isfinite(p[i]))  // never a score that is not one
      throw std::runtime_error(fmt::format("{}: line {}: the model's click probability is {}", args.data, i + 2, p[i]));
    out += fmt::format("{}\t{:.6f}\n", i + 1, p[i]);
  }
  if (args.out.empty())
    std::cout << out;
  else
    write_file_atomically(args.out, out);
  return 0;
}

int run_explain(const ExplainArgs& args) {
  if (args.line < 1) throw std::invalid_argument(fmt::format("--line must be at least 1, got {}", args.line));
  LoadedRun run = load_run(args.run_dir);
  const EncodedDataset data = data_for(run, args.data);
  const Vocabularies& v = run.vocabularies;
  std::vector<std::size_t> rows;
  if (!args.user.empty()) {
    if (!v.has_users) throw std::invalid_argument("this run has no user column; use --line");
    const std::int64_t user = v.users.index(args.user);
    if (user == Vocabulary::kOutOfVocabulary) throw std::invalid_argument("user \"" + args.user + "\" is not in the training data");
    for (std::size_t r = 0; r < data.size(); ++r)
      if (data.users[r] == user) rows.push_back(r);
    if (rows.empty()) throw std::invalid_argument("user \"" + args.user + "\" has no impression in this data");
  } else {
    if (std::size_t(args.line) > data.size())
      throw std::invalid_argument(fmt::format("--line {} is outside the data's {} impressions", args.line, data.size()));
    rows.push_back(std::size_t(args.line) - 1);
  }
  for (std::size_t row : rows) {
    const Batch batch = make_batch(data, {row});
    ClickOutput out;
    {
      NoGradGuard no_grad;
      out = run.model->forward(batch);
    }
    const std::vector<double> w = out.attention.to_vector();  // [1, (h,) 1, T]
    const std::size_t T = batch.T, heads = w.size() / T, n = batch.lengths[0];
    std::string target = v.items.id(batch.target_item[0]);
    for (std::size_t f = 0; f < v.side.size(); ++f)
      target += " " + v.side_fields[f] + "=" + decode_side_cell(v, f, batch.target_side[f].data(), batch.side_width[f]);
    fmt::print("impression {} (label {:.0f}): target {}  p(click) = {:.4f}\n", row + 1, data.labels[row], target,
               sigmoid(out.logits.item()));
    if (n == 0) {
      fmt::print("  empty history: no attention\n\n");
      continue;
    }
    std::vector<std::size_t> order(n);
    for (std::size_t t = 0; t < n; ++t) order[t] = t;
    auto mean_weight = [&](std::size_t t) {
      double s = 0;
      for (std::size_t h = 0; h < heads; ++h) s += w[h * T + t];
      return s / double(heads);
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return mean_weight(a) > mean_weight(b); });
    std::string header = "  rank  position  item";
    for (const std::string& f : v.side_fields) header += fmt::format("  {}", f);
    header += "  weight";
    if (heads > 1)
      for (std::size_t h = 0; h < heads; ++h) header += fmt::format("  head{}", h);
    fmt::print("{}\n", header);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t t = order[k];
      std::string line = fmt::format("  {:>4}  {:>8}  {}", k + 1, t, v.items.id(batch.history_item[t]));
      for (std::size_t f = 0; f < v.side.size(); ++f) {
        const std::size_t W = batch.side_width[f];
        line += "  " + decode_side_cell(v, f, batch.history_side[f].data() + t * W, W);
      }
      line += fmt::format("  {:.4f}", mean_weight(t));
      if (heads > 1)
        for (std::size_t h = 0; h < heads; ++h) line += fmt::format("  {:.4f}", w[h * T + t]);
      fmt::print("{}\n", line);
    }
    fmt::print("  (position 0 = most recent behaviour)\n\n");
  }
  return 0;
}

int run_gradcheck(const GradcheckArgs& args) {
  const RunConfig config = load_run_config(args.config, args.overrides);
  const ModelGradcheck r = gradcheck_model(config);
  fmt::print("{}: {} ({} parameters of a {}-scalar float64 model)\n", args.config, r.result.message, r.tensors,
             r.scalars);
  return r.result.ok ? 0 : 1;
}

namespace {
int report_prepared(const PrepareSummary& summary) {
  fmt::print("{}train with: recgrad train {}\n", describe(summary), summary.config_path);
  return 0;
}
}  // namespace

int run_prepare_movielens(const PrepareArgs& args) {
  MovieLensOptions options;
  options.threshold = args.threshold;
  options.impressions = {args.test_fraction, args.max_len};
  return report_prepared(prepare_movielens(args.input, args.out_dir, options));
}

int run_prepare_events(const PrepareArgs& args) {
  EventsOptions options;
  options.positive = args.positive;
  options.impressions = {args.test_fraction, args.max_len};
  return report_prepared(prepare_events(args.input, args.out_dir, options));
}

}  // namespace recgrad
