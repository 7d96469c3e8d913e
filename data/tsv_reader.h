#pragma once
// Reads an interaction TSV (data/README.md): a header naming the columns, then one impression
// per line. The schema maps columns to roles; other columns are ignored. Nothing half-read is
// returned: the first malformed line throws std::invalid_argument "file:line: what is wrong".
#include <string>

#include "data/dataset.h"
#include "data/schema.h"

namespace recgrad {

// Training and evaluation need the label column; prediction reads a file with or without it.
enum class LabelColumn { Required, Optional };

// Histories come back oldest first, cut to their most recent schema.max_len entries (a long history
// is checked whole, then cut, so that memory follows max_len rather than the file). Labels come back
// empty when the column is Optional and absent.
RawDataset read_tsv(const std::string& path, const Schema& schema, LabelColumn label_column = LabelColumn::Required);

}  // namespace recgrad
