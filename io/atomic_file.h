#pragma once
// Whole-file reads and crash-safe whole-file writes.
//
// A checkpoint written in place is destroyed by a crash halfway through the write. Instead
// write_file_atomically writes `<path>.tmp` in the same directory, flushes it to the disk (fsync),
// renames it over `path` (rename is atomic within one file system), and flushes the directory so the
// rename itself survives a power cut. At every moment `path` is either the old file or the new one.
// A crash may leave `<path>.tmp` behind; the next write to `path` replaces it.
//
// I/O failures throw std::runtime_error naming the path and the system's reason:
//   "runs/a/model.safetensors.tmp: cannot write: No space left on device"
#include <cstdint>
#include <string>
#include <string_view>

namespace recgrad {

void write_file_atomically(const std::string& path, std::string_view contents);

// The whole file as bytes.
std::string read_file(const std::string& path);

// Creates `dir` (and its parents) if needed and proves it writable by writing and removing a small
// probe file, so an unwritable output directory fails before hours of training rather than after.
// With min_free_bytes > 0 it also fails when the file system has less space available than that.
void ensure_writable_dir(const std::string& dir, std::uintmax_t min_free_bytes = 0);

}  // namespace recgrad
