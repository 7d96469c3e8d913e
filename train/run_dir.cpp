#include "train/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "io/atomic_file.h"
#include "io/json_config.h"
#include "train/checkpoint.h"
#include "train/data_setup.h"

namespace recgrad {

std::string model_fingerprint(const RunConfig& config) {
  nlohmann::json full = to_json(config);
  full["model"].erase("fused_kernels");  // picks how the same parameters are computed, not which
  return nlohmann::json{{"features", full.at("features")}, {"model", full.at("model")}}.dump();
}


namespace {
namespace fs = std::filesystem;

// "runs/a/" and "runs/a" name one directory, so they share "runs/a.lock" (as they share "runs/a.setup").
std::string sibling(const std::string& dir, const char* suffix) {
  std::filesystem::path path = std::filesystem::path(dir).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();
  return path.string() + suffix;
}
}  // namespace

RunLock::RunLock(const std::string& dir) : path_(sibling(dir, ".lock")) {
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  std::error_code ignored;  // a parent that cannot be made is reported by the open below
  if (!parent.empty()) std::filesystem::create_directories(parent, ignored);
  // The holder removes the file when it is done, so the file locked may no longer be the one at the
  // path: lock, then check that the path still names the locked file, else try the new one.
  for (;;) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(path_ + ": cannot create the run's lock file: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char holder[32] = {0};
      const ssize_t n = ::pread(fd_, holder, sizeof holder - 1, 0);
      ::close(fd_);
      throw std::invalid_argument(dir + ": in use by another recgrad process (pid " +
                                  std::string(holder, n > 0 ? std::size_t(n) : 0) + ", holding " + path_ +
                                  "); wait for it to finish or choose another --out");
    }
    struct stat locked {}, named {};
    if (::fstat(fd_, &locked) == 0 && ::stat(path_.c_str(), &named) == 0 && locked.st_ino == named.st_ino &&
        locked.st_dev == named.st_dev)
      break;
    ::close(fd_);
  }
  // The pid only serves the refusal message: should writing it fail, the lock still holds.
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

RunLock::~RunLock() {
  ::unlink(path_.c_str());  // while still holding the lock: see the constructor
  ::close(fd_);             // closing the last descriptor releases the flock
}

RunDirectory::SetupDir::~SetupDir() {
  std::error_code ignored;
  if (in_use) fs::remove_all(path, ignored);
}

RunDirectory::RunDirectory(const std::string& dir, const RunConfig& config, bool resume)
    : config_(config),
      dir_(dir),
      fingerprint_(model_fingerprint(config)),
      lock_(dir),
      setup_{sibling(dir, ".setup"), !resume} {
  if (resume) {
    if (!fs::exists(fs::path(dir_) / run_files::kCheckpoint))
      throw std::invalid_argument(dir_ + ": nothing to resume (no " + run_files::kCheckpoint + ")");
    finished_ = fs::exists(fs::path(dir_) / run_files::kSummary);
    if (!finished_) ensure_writable_dir(dir_);
    return;
  }
  if (fs::exists(dir_) && !fs::is_empty(dir_) && !config.output.overwrite)
    throw std::invalid_argument(dir_ + ": run directory exists and is not empty (choose another with --out, "
                                       "continue it with --resume, or set output.overwrite)");
  std::error_code error;
  if (fs::exists(setup_.path, error)) fs::remove_all(setup_.path, error);
  if (error) throw std::runtime_error(setup_.path + ": cannot remove an interrupted set-up: " + error.message());
  ensure_writable_dir(setup_.path, 64u << 20);
}

std::string RunDirectory::path(const char* file) const { return (setup_.in_use ? setup_.path : dir_) + "/" + file; }

std::string RunDirectory::checkpoint_path() const { return dir_ + "/" + run_files::kCheckpoint; }

void RunDirectory::write_setup(const Vocabularies& vocabularies) {
  write_file_atomically(path(run_files::kConfig), to_json(config_).dump(2) + "\n");
  fs::create_directories(path(run_files::kVocab));
  save_vocabularies(vocabularies, path(run_files::kVocab));
  write_file_atomically(path(run_files::kMetrics), "");
}

void RunDirectory::publish() {
  const std::string& setup_dir = setup_.path;
  auto check = [&](const std::error_code& error, const std::string& what) {
    if (error) throw std::runtime_error(dir_ + ": cannot " + what + ": " + error.message());
  };
  std::error_code error;
  if (!fs::exists(dir_) || fs::is_empty(dir_)) {
    fs::rename(setup_dir, dir_, error);  // replaces an empty directory in one step
    check(error, "move " + setup_dir + " into place");
    setup_.in_use = false;
    return;
  }
  // The previous run stops being one (no checkpoint) before any of its files is replaced.
  for (const char* f : {run_files::kCheckpoint, run_files::kBest, run_files::kSummary, run_files::kVocab}) {
    fs::remove_all(fs::path(dir_) / f, error);
    check(error, std::string("remove the previous run's ") + f);
  }
  for (const char* f : {run_files::kConfig, run_files::kVocab, run_files::kMetrics, run_files::kCheckpoint}) {
    fs::rename(fs::path(setup_dir) / f, fs::path(dir_) / f, error);
    check(error, std::string("move ") + f + " from " + setup_dir);
  }
  fs::remove_all(setup_dir, error);  // empty by now; were it left, the next run into `dir` would replace it
  setup_.in_use = false;
}

void RunDirectory::check_vocabularies(const Vocabularies& rebuilt) const {
  const std::string vocab_dir = path(run_files::kVocab);
  const std::string difference =
      first_vocabulary_difference(load_vocabularies(vocab_dir, config_.features), rebuilt, vocab_dir);
  if (!difference.empty())
    throw std::invalid_argument(difference + "; the training data changed since the run began (resume with the "
                                             "same files, or start a new run)");
}

TrainerState RunDirectory::load_checkpoint(Module& model, Optimizer& optimizer) const {
  return recgrad::load_checkpoint(path(run_files::kCheckpoint), model, &optimizer, fingerprint_);
}

void RunDirectory::drop_metrics_after(std::int64_t step) const {
  const std::string metrics = path(run_files::kMetrics);
  const std::string text = read_file(metrics);
  std::string kept;
  std::size_t begin = 0;
  for (std::size_t number = 1; begin < text.size(); ++number) {
    const std::size_t newline = text.find('\n', begin);
    const bool torn = newline == std::string::npos;
    const std::string line = text.substr(begin, torn ? std::string::npos : newline - begin);
    begin = torn ? text.size() : newline + 1;
    if (line.empty()) continue;
    const nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_discarded() && torn) break;
    if (!record.is_object() || !record.contains("step") || !record["step"].is_number_integer())
      throw std::invalid_argument(fmt::format("{}:{}: not an evaluation record with an integer \"step\": {}", metrics,
                                              number, line.substr(0, 80)));
    if (record["step"].get<std::int64_t>() <= step) kept += line + "\n";
  }
  write_file_atomically(metrics, kept);
}

void RunDirectory::append_metrics(const nlohmann::json& record) const {
  const std::string metrics = path(run_files::kMetrics);
  std::ofstream out(metrics, std::ios::app);
  out << record.dump() << "\n";
  out.flush();
  if (!out) throw std::runtime_error(metrics + ": cannot append the evaluation record");
}

void RunDirectory::save_checkpoint(Module& model, const Optimizer& optimizer, const TrainerState& state) const {
  recgrad::save_checkpoint(path(run_files::kCheckpoint), model, &optimizer, state, fingerprint_);
}

void RunDirectory::save_best(Module& model, const TrainerState& state) const {
  recgrad::save_checkpoint(path(run_files::kBest), model, nullptr, state, fingerprint_);
}

void RunDirectory::load_best(Module& model) const {
  recgrad::load_checkpoint(path(run_files::kBest), model, nullptr, fingerprint_);
}

void RunDirectory::write_summary(const nlohmann::json& summary) const {
  write_file_atomically(path(run_files::kSummary), summary.dump(2) + "\n");
}

LoadedRun load_run(const std::string& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) throw std::invalid_argument(dir + ": no such run directory");
  const std::string best = dir + "/" + run_files::kBest;
  if (!fs::exists(best))
    throw std::invalid_argument(dir + ": no " + run_files::kBest + " (the run has not finished an evaluation)");
  LoadedRun run;
  run.dir = dir;
  run.config = load_run_config(dir + "/" + run_files::kConfig);
  const Schema& schema = run.config.features;
  run.vocabularies = load_vocabularies(dir + "/" + run_files::kVocab, schema);
  run.model = std::make_unique<ClickModel>(run.config.model, feature_sizes(run.vocabularies, schema.max_len),
                                           run.config.training.seed);
  load_checkpoint(best, *run.model, nullptr, model_fingerprint(run.config));
  run.model->eval();
  return run;
}

}  // namespace recgrad
