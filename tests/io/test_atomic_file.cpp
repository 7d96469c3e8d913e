#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "io/atomic_file.h"
#include "tests/io/temp_dir.h"

namespace recgrad {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;

// Tests run as root, whom permission bits do not stop. The file size limit (RLIMIT_FSIZE) stops
// root too: a write past it fails with EFBIG, like a disk that fills up in the middle of a save.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &previous_);
    previous_handler_ = signal(SIGXFSZ, SIG_IGN);  // otherwise the kernel kills the process
    const rlimit limit{bytes, previous_.rlim_max};
    setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &previous_);
    signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit previous_{};
  sighandler_t previous_handler_;
};

// Saves 5000 bytes with a file size limit of 1000 and the kernel's default action at the limit: the
// process dies in the middle of the write, as in a crash or a kill -9.
void write_until_killed(const std::string& path) {
  const rlimit no_core{0, 0}, limit{1000, RLIM_INFINITY};
  setrlimit(RLIMIT_CORE, &no_core);
  signal(SIGXFSZ, SIG_DFL);
  setrlimit(RLIMIT_FSIZE, &limit);
  write_file_atomically(path, std::string(5000, 'x'));
}

TEST(AtomicFile, WritesAndReadsBackExactBytes) {
  TempDir dir;
  const std::string bytes("line one\n\0binary\xff", 17);
  write_file_atomically(dir / "a.bin", bytes);
  EXPECT_EQ(read_file(dir / "a.bin"), bytes);
}

TEST(AtomicFile, ReplacesPreviousFileAndLeavesNoTemporary) {
  TempDir dir;
  write_file_atomically(dir / "a.txt", "old contents that are longer");
  write_file_atomically(dir / "a.txt", "new");
  EXPECT_EQ(read_file(dir / "a.txt"), "new");
  EXPECT_FALSE(std::filesystem::exists(dir / "a.txt.tmp"));
}

TEST(AtomicFile, FailedWriteLeavesPreviousFileAndNoTemporary) {
  TempDir dir;
  write_file_atomically(dir / "model.safetensors", "previous checkpoint");
  try {
    FileSizeLimit limit(1000);
    write_file_atomically(dir / "model.safetensors", std::string(5000, 'x'));
    FAIL() << "the write past the size limit did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir / "model.safetensors.tmp: cannot write: File too large"));
  }
  EXPECT_EQ(read_file(dir / "model.safetensors"), "previous checkpoint");
  EXPECT_FALSE(std::filesystem::exists(dir / "model.safetensors.tmp"));
}

TEST(AtomicFileDeathTest, ProcessKilledMidWriteLeavesPreviousFile) {
  TempDir dir;
  write_file_atomically(dir / "model.safetensors", "previous checkpoint");
  // The child is forked (gtest's default death test style), so it writes into this directory.
  EXPECT_EXIT(write_until_killed(dir / "model.safetensors"), ::testing::KilledBySignal(SIGXFSZ), "");
  EXPECT_EQ(read_file(dir / "model.safetensors"), "previous checkpoint");
  EXPECT_EQ(std::filesystem::file_size(dir / "model.safetensors.tmp"), 1000u);  // the half-written new file
  write_file_atomically(dir / "model.safetensors", "next checkpoint");            // replaces the leftover
  EXPECT_EQ(read_file(dir / "model.safetensors"), "next checkpoint");
  EXPECT_FALSE(std::filesystem::exists(dir / "model.safetensors.tmp"));
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  try {
    write_file_atomically(dir / "missing/a.txt", "x");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), dir / "missing/a.txt.tmp: cannot open: No such file or directory");
  }
}

TEST(ReadFile, MissingFileIsAnErrorNamingThePath) {
  TempDir dir;
  try {
    read_file(dir / "none.json");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), dir / "none.json: cannot open: No such file or directory");
  }
}

TEST(EnsureWritableDir, CreatesNestedDirectoriesAndLeavesNoProbe) {
  TempDir dir;
  ensure_writable_dir(dir / "runs/first");
  EXPECT_TRUE(std::filesystem::is_directory(dir / "runs/first"));
  EXPECT_TRUE(std::filesystem::is_empty(dir / "runs/first"));
  ensure_writable_dir(dir / "runs/first");  // an existing directory is fine
}

TEST(EnsureWritableDir, PathBelowAFileIsAnError) {
  TempDir dir;
  write_file_atomically(dir / "file", "x");
  try {
    ensure_writable_dir(dir / "file/run");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir / "file/run: cannot create directory: Not a directory"));
  }
}

TEST(EnsureWritableDir, ExistingFileIsNotADirectory) {
  TempDir dir;
  write_file_atomically(dir / "file", "x");
  EXPECT_THROW(ensure_writable_dir(dir / "file"), std::runtime_error);
}

TEST(EnsureWritableDir, FailingWritesAreReportedBeforeWorkStarts) {
  TempDir dir;
  FileSizeLimit limit(10);  // smaller than the probe file: every real write would fail too
  try {
    ensure_writable_dir(dir / "run");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir / "run/.recgrad-write-probe.tmp: cannot write: File too large"));
  }
}

TEST(EnsureWritableDir, TooLittleFreeSpaceIsAnError) {
  TempDir dir;
  try {
    ensure_writable_dir(dir / "run", std::numeric_limits<std::uintmax_t>::max());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr(dir / "run: only "));
    EXPECT_THAT(e.what(), HasSubstr(" MB free, need at least "));
  }
}

}  // namespace
}  // namespace recgrad
