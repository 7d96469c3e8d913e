#include "train/run_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "io/json_config.h"
#include "train/checkpoint.h"
#include "train/data_setup.h"

namespace recgrad {

std::string model_fingerprint(const RunConfig& config) {
  const nlohmann::json full = to_json(config);
  return nlohmann::json{{"features", full.at("features")}, {"model", full.at("model")}}.dump();
}


namespace {
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

std::string setup_dir_for(const std::string& dir) { return sibling(dir, ".setup"); }

void publish_run_dir(const std::string& setup_dir, const std::string& dir) {
  namespace fs = std::filesystem;
  auto check = [&](const std::error_code& error, const std::string& what) {
    if (error) throw std::runtime_error(dir + ": cannot " + what + ": " + error.message());
  };
  std::error_code error;
  if (!fs::exists(dir) || fs::is_empty(dir)) {
    fs::rename(setup_dir, dir, error);  // replaces an empty directory in one step
    check(error, "move " + setup_dir + " into place");
    return;
  }
  // The previous run stops being one (no checkpoint) before any of its files is replaced.
  for (const char* f : {run_files::kCheckpoint, run_files::kBest, run_files::kSummary, run_files::kVocab}) {
    fs::remove_all(fs::path(dir) / f, error);
    check(error, std::string("remove the previous run's ") + f);
  }
  for (const char* f : {run_files::kConfig, run_files::kVocab, run_files::kMetrics, run_files::kCheckpoint}) {
    fs::rename(fs::path(setup_dir) / f, fs::path(dir) / f, error);
    check(error, std::string("move ") + f + " from " + setup_dir);
  }
  fs::remove_all(setup_dir, error);  // empty by now; were it left, the next run into `dir` would replace it
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
