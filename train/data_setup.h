#pragma once
// From a run config to encoded train, validation and test sets: read the TSVs (or generate synthetic
// data and split it), carve the validation split from the training data (config.data.validation_fraction),
// build the vocabularies on what remains for training, encode the three splits.
#include "data/encoder.h"
#include "data/tsv_reader.h"
#include "models/click_model.h"
#include "train/config.h"

namespace recgrad {

struct PreparedData {
  Vocabularies vocabularies;
  EncodedDataset train, valid, test;  // valid steers training; test is scored once, at the end
};

PreparedData prepare_data(const RunConfig& config);

// The embedding table sizes the vocabularies call for.
FeatureSizes feature_sizes(const Vocabularies& vocabularies, std::size_t max_len);

// A TSV in a run's format, encoded with that run's vocabularies (for eval, predict, explain).
EncodedDataset load_encoded(const std::string& path, const Schema& schema, const Vocabularies& vocabularies,
                            LabelColumn label_column = LabelColumn::Required);

// `path` as given when absolute, else relative to `base_dir`.
std::string resolve_path(const std::string& path, const std::string& base_dir);

}  // namespace recgrad
