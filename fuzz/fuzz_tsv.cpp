// libFuzzer target: any bytes as an interaction TSV, through read_tsv. The first byte picks the
// schema's history order and max_len, so that cutting long histories is fuzzed too; the rest is the
// file. A malformed file must be a std::invalid_argument "file:line: what"; anything else is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "data/tsv_reader.h"

namespace {
// read_tsv reads a path, so each input goes through one file of this process, removed at exit.
struct InputFile {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("recgrad-fuzz-" + std::to_string(::getpid()) + ".tsv")).string();
  ~InputFile() { std::remove(path.c_str()); }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const InputFile file;
  if (size == 0) return 0;
  recgrad::Schema schema;
  schema.label = "label";
  schema.user = "user_id";
  schema.item = "item_id";
  schema.item_side = {"item_cate"};
  schema.history = "hist_item_ids";
  schema.history_side = {"hist_cate_ids"};
  schema.order = data[0] & 8 ? recgrad::HistoryOrder::NewestFirst : recgrad::HistoryOrder::OldestFirst;
  schema.max_len = 1 + (data[0] & 7);
  std::ofstream(file.path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  try {
    recgrad::read_tsv(file.path, schema);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
