#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace recgrad {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& action, int err) {
  throw std::runtime_error(path + ": " + action + ": " + std::strerror(err));
}

// An open file descriptor that is closed when the scope ends, also when an error is thrown.
class File {
 public:
  File(const std::string& path, int flags) : path_(path), fd_(::open(path.c_str(), flags | O_CLOEXEC, 0644)) {
    if (fd_ < 0) fail(path_, "cannot open", errno);
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // write() may write fewer bytes than asked (signals, pipes): loop until all are written.
  void write_all(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(path_, "cannot write", errno);
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  std::string read_all() {
    struct stat info {};
    std::string bytes;
    if (::fstat(fd_, &info) == 0 && info.st_size > 0) bytes.reserve(static_cast<std::size_t>(info.st_size));
    char chunk[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(path_, "cannot read", errno);
      if (n == 0) return bytes;
      bytes.append(chunk, static_cast<std::size_t>(n));
    }
  }

  void sync() {
    if (::fsync(fd_) != 0) fail(path_, "cannot flush to disk", errno);
  }

  // close() can report a failed delayed write (NFS, full disk), so its result matters.
  void close() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail(path_, "cannot close", errno);
  }

 private:
  std::string path_;
  int fd_;
};

std::string directory_of(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

std::string megabytes(std::uintmax_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents) {
  const std::string temp = path + ".tmp";
  try {
    File out(temp, O_WRONLY | O_CREAT | O_TRUNC);
    out.write_all(contents);
    out.sync();
    out.close();
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail(path, "cannot replace with " + temp, err);
  }
  File(directory_of(path), O_RDONLY | O_DIRECTORY).sync();
}

std::string read_file(const std::string& path) { return File(path, O_RDONLY).read_all(); }

void ensure_writable_dir(const std::string& dir, std::uintmax_t min_free_bytes) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error(dir + ": cannot create directory: " + error.message());
  if (!std::filesystem::is_directory(dir)) throw std::runtime_error(dir + ": not a directory");

  const std::string probe = dir + "/.recgrad-write-probe";
  write_file_atomically(probe, "recgrad checks that this directory is writable\n");
  std::filesystem::remove(probe, error);
  if (error) throw std::runtime_error(probe + ": cannot remove: " + error.message());

  if (min_free_bytes > 0) {
    const std::uintmax_t available = std::filesystem::space(dir, error).available;
    if (error) throw std::runtime_error(dir + ": cannot query free space: " + error.message());
    if (available < min_free_bytes)
      throw std::runtime_error(dir + ": only " + megabytes(available) + " free, need at least " +
                               megabytes(min_free_bytes));
  }
}

}  // namespace recgrad
