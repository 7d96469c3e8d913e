// recgrad: the command line. Every subcommand is a thin shell over train/; every failure is one line
// on stderr and a non-zero exit.
#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "train/commands.h"
#include "train/distributed.h"

namespace {
// Under mpirun, which rank an error comes from: "rank 1 of 2: ".
std::string rank_prefix() {
  using namespace recgrad;
  return distributed::world_size() > 1
             ? fmt::format("rank {} of {}: ", distributed::rank(), distributed::world_size())
             : std::string();
}
}  // namespace

int main(int argc, char** argv) {
  using namespace recgrad;
  distributed::Session mpi(&argc, &argv);  // joins mpirun's other processes, if any (train/distributed.h)
  CLI::App app{"recgrad: attention for recommendation, from autograd up"};
  app.require_subcommand(1);

  TrainArgs train_args;
  CLI::App* train = app.add_subcommand("train", "Train a click model from a JSON config");
  train->add_option("config", train_args.config, "The JSON config (configs/default.json); not with --resume");
  train->add_option("--set", train_args.overrides, "Override a config value: --set optim.lr=0.003 (repeatable)");
  train->add_option("--out", train_args.out_dir, "Run directory (default: the config's output.dir)");
  train->add_option("--resume", train_args.resume_dir, "Continue the run in this directory from its checkpoint");
  train->add_flag("--quiet", train_args.quiet, "No progress output");
  train->add_option("--profile", train_args.profile_steps,
                    "Print a per-op time and memory table (stderr) after the first N steps; training goes on")
      ->check(CLI::Range(1, 1000000));

  EvalArgs eval_args;
  CLI::App* eval = app.add_subcommand("eval", "Evaluate a run's best checkpoint on a TSV file");
  eval->add_option("run", eval_args.run_dir, "A run directory made by `recgrad train`")->required();
  eval->add_option("data", eval_args.data, "A TSV in the run's format (default: the run's own test split)");

  PredictArgs predict_args;
  CLI::App* predict = app.add_subcommand("predict", "Write click probabilities for every line of a TSV");
  predict->add_option("run", predict_args.run_dir, "A run directory")->required();
  predict->add_option("data", predict_args.data, "A TSV in the run's format; the label column may be left out")->required();
  predict->add_option("--out", predict_args.out, "Output TSV (default: stdout)");

  ExplainArgs explain_args;
  CLI::App* explain = app.add_subcommand("explain", "Show the attention weight of each history item, highest first");
  explain->add_option("run", explain_args.run_dir, "A run directory")->required();
  explain->add_option("data", explain_args.data, "A TSV in the run's format (default: the run's test split)");
  CLI::Option* line = explain->add_option("--line", explain_args.line, "Data line to explain (1 = first line after the header)");
  explain->add_option("--user", explain_args.user, "Explain every impression of this user id instead")->excludes(line);

  GradcheckArgs gradcheck_args;
  CLI::App* gradcheck = app.add_subcommand("gradcheck", "Float64 gradient check of a config's whole model at tiny sizes");
  gradcheck->add_option("config", gradcheck_args.config, "The JSON config")->required();
  gradcheck->add_option("--set", gradcheck_args.overrides, "Override a config value (repeatable)");

  PrepareArgs prepare_args;
  CLI::App* prepare = app.add_subcommand("prepare", "Turn a downloadable log into train/test TSVs and a ready config");
  prepare->require_subcommand(1);
  CLI::App* movielens = prepare->add_subcommand(
      "movielens", "MovieLens 100K (u.data, u.item), 1M (ratings.dat, movies.dat) or latest/25M (ratings.csv, movies.csv)");
  movielens->add_option("dir", prepare_args.input, "The unzipped MovieLens folder (the layout is found by its files)")
      ->required();
  movielens->add_option("--threshold", prepare_args.threshold, "Label 1 when rating >= this (default 4; half stars allowed)");
  CLI::App* events = prepare->add_subcommand(
      "events", "A behaviour log user,item,category,behaviour,timestamp (Taobao UserBehavior.csv; CSV or TSV, header optional)");
  events->add_option("file", prepare_args.input, "The behaviour log")->required();
  events->add_option("--positive", prepare_args.positive, "Behaviours labelled 1, comma-separated (default buy,cart,fav)")->delimiter(',');
  for (CLI::App* command : {movielens, events}) {
    command->add_option("--out", prepare_args.out_dir, "Output folder: train.tsv, test.tsv and recgrad.json")->required();
    command->add_option("--test-fraction", prepare_args.test_fraction,
                        "Share of each user's impressions, the latest, kept for test (default 0.2; rounded, halves up)");
    command->add_option("--max-len", prepare_args.max_len, "Most recent history entries written per impression (default 50)");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, as every other error: CLI11's own message, the hint folded in.
    fmt::print(stderr, "recgrad: error: {} (see --help)\n", e.what());
    return e.get_exit_code();
  }
  try {
    if (*train) return run_train(train_args);
    if (*eval) return run_eval(eval_args);
    if (*predict) return run_predict(predict_args);
    if (*explain) return run_explain(explain_args);
    if (*gradcheck) return run_gradcheck(gradcheck_args);
    if (*movielens) return run_prepare_movielens(prepare_args);
    if (*events) return run_prepare_events(prepare_args);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "recgrad: error: {}out of memory: the data or the model does not fit (lower model.embedding_dim, "
                       "training.batch_size or features.max_len; a run's checkpoint stays resumable)\n", rank_prefix());
    distributed::abort_all(1);
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "recgrad: error: {}{}\n", rank_prefix(), e.what());
    distributed::abort_all(1);  // the other ranks would wait for this one forever
    return 1;
  }
  return 0;
}
