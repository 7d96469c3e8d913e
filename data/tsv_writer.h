#pragma once
// Writes RawDatasets as an interaction TSV that read_tsv() reads back identically with the same
// schema (a saved synthetic set, the output of the MovieLens converter).
#include <fstream>
#include <string>

#include "data/dataset.h"
#include "data/schema.h"

namespace recgrad {

// Opens the file and writes the header; each write() appends the rows of a dataset, so a large
// conversion can go out chunk by chunk. Column names, separator and history order come from the
// schema; its user column is written when has_users, its timestamp columns when it names them. Throws std::invalid_argument if the data's
// number of side-info fields or its users do not match, or an id is empty or holds a TAB, a line break or the separator
// (it could not be read back).
class TsvWriter {
 public:
  TsvWriter(const std::string& path, const Schema& schema, bool has_users);
  void write(const RawDataset& data);
  void close();  // flushes; throws if writing failed

 private:
  std::string path_;
  Schema schema_;
  bool has_users_;
  std::ofstream out_;
};

void write_tsv(const RawDataset& data, const std::string& path, const Schema& schema);

}  // namespace recgrad
