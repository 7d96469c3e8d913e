#pragma once
// Checkpoints in the safetensors format (github.com/huggingface/safetensors), which NumPy, PyTorch and
// the `safetensors` package read without recgrad:
//
//   [8 bytes: header length N, little-endian u64] [N bytes: JSON header] [data section]
//   header: {"__metadata__": {"step": "1200"},
//            "attention.q_proj.weight": {"dtype": "F32", "shape": [16, 16], "data_offsets": [0, 1024]}, ...}
//
// data_offsets are the [begin, end) bytes of a tensor in the data section: row-major, little-endian.
// recgrad writes the tensors one after another in the order given, and pads the header with spaces
// to a multiple of 8 bytes so that the data is aligned, as the reference implementation does.
// recgrad tensors are F32 or F64; a file holding other dtypes (F16, I64, ...) is rejected on load.
//
// Loading validates everything before using it: a truncated file, a header that lies about sizes or
// offsets, bad JSON, an unknown dtype, tensors that overlap or leave bytes uncovered, or a name given
// twice is a std::invalid_argument naming the file and the problem. Sizes are checked against the
// file before anything is allocated, so a lying header cannot cause a huge allocation.
#include <map>
#include <string>
#include <string_view>

#include "core/tensor.h"

namespace recgrad {

struct SafetensorsFile {
  NamedTensors tensors;  // in the order of their data in the file
  std::map<std::string, std::string> metadata;
};

// Writes atomically (io/atomic_file.h): a crash during the save leaves the previous file intact.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});
SafetensorsFile load_safetensors(const std::string& path);

// The same in memory: the bytes of a file, and a reader of such bytes; `source` names them in errors.
std::string safetensors_bytes(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata = {});
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source);

// The CRC-32 (io/crc32.h) of a tensor's bytes as written, as 8 hex digits: checkpoints keep one per
// tensor in their metadata (train/checkpoint.h).
std::string tensor_crc32(const Tensor& tensor);

}  // namespace recgrad
