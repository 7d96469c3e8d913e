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

#include "data/events.h"
#include "data/movielens.h"
#include "io/atomic_file.h"
#include "train/data_setup.h"
#include "train/distributed.h"
#include "train/evaluate.h"
#include "train/explain.h"
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

}  // namespace

int run_train(const TrainArgs& args) {
  RunConfig config;
  TrainOptions options;
  options.quiet = args.quiet;
  options.profile_steps = args.profile_steps;
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
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) std::signal(signal, on_stop_signal);
  options.should_stop = [](std::int64_t) {  // asked after every step
    g_stepping = true;
    return g_stop_signal.load() != 0;
  };

  const nlohmann::json summary = train(config, options);
  if (distributed::rank() != 0) return 0;  // data-parallel: rank 0 reports (train/distributed.h)
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
  const std::vector<std::size_t> rows =
      args.user.empty() ? std::vector<std::size_t>{std::size_t(args.line) - 1} : rows_of_user(run, data, args.user);
  const std::vector<std::string>& fields = run.vocabularies.side_fields;
  for (std::size_t row : rows) {
    const Explanation x = explain_impression(run, data, row);
    std::string target = x.target.id;
    for (std::size_t f = 0; f < fields.size(); ++f) target += " " + fields[f] + "=" + x.target.side[f];
    fmt::print("impression {} (label {:.0f}): target {}  p(click) = {:.4f}\n", row + 1, x.label, target, x.probability);
    if (x.history.empty()) {
      fmt::print("  empty history: no attention\n\n");
      continue;
    }
    std::string header = "  rank  position  item";
    for (const std::string& f : fields) header += fmt::format("  {}", f);
    header += "  weight";
    if (x.heads > 1)
      for (std::size_t h = 0; h < x.heads; ++h) header += fmt::format("  head{}", h);
    fmt::print("{}\n", header);
    for (std::size_t k = 0; k < x.history.size(); ++k) {
      const AttendedItem& a = x.history[k];
      std::string line = fmt::format("  {:>4}  {:>8}  {}", k + 1, a.position, a.item.id);
      for (const std::string& cell : a.item.side) line += "  " + cell;
      line += fmt::format("  {:.4f}", a.weight);
      if (x.heads > 1)
        for (double w : a.head_weights) line += fmt::format("  {:.4f}", w);
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
