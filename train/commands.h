#pragma once
// The subcommands of the `recgrad` program (apps/recgrad.cpp parses the command line). Each returns
// the process exit code and throws on errors, which the program prints as one line.
#include <cstdint>
#include <string>
#include <vector>

namespace recgrad {

struct TrainArgs {
  std::string config;                  // the JSON config (not with resume)
  std::vector<std::string> overrides;  // "--set a.b=c"
  std::string out_dir;                 // default: the config's output.dir
  std::string resume_dir;              // continue this run
  bool quiet = false;
  std::int64_t profile_steps = 0;      // --profile N: the per-op table of the first N steps on stderr; 0: none
};
int run_train(const TrainArgs& args);

struct EvalArgs {
  std::string run_dir;
  std::string data;  // default: the run's own test split
};
int run_eval(const EvalArgs& args);

struct PredictArgs {
  std::string run_dir, data, out;
};
int run_predict(const PredictArgs& args);

struct ExplainArgs {
  std::string run_dir, data;
  std::int64_t line = 1;  // 1 = the first data line after the header (or the first test impression)
  std::string user;      // instead of line: every impression of this user
};
int run_explain(const ExplainArgs& args);

struct GradcheckArgs {
  std::string config;
  std::vector<std::string> overrides;
};
int run_gradcheck(const GradcheckArgs& args);

struct PrepareArgs {
  std::string input, out_dir;  // movielens: the unzipped folder; events: the log file
  double test_fraction = 0.2;
  std::size_t max_len = 50;
  double threshold = 4.0;                                      // movielens: label 1 when rating >= threshold
  std::vector<std::string> positive = {"buy", "cart", "fav"};  // events: the behaviours labelled 1
};
int run_prepare_movielens(const PrepareArgs& args);
int run_prepare_events(const PrepareArgs& args);

}  // namespace recgrad
