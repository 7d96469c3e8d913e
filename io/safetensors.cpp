#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <tuple>

#include "io/atomic_file.h"
#include "io/crc32.h"
#include "io/json_config.h"

// Tensor data is copied byte for byte between memory and the little-endian file format.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors I/O assumes a little-endian machine");

namespace recgrad {

namespace {

constexpr std::size_t kLengthBytes = 8;  // the u64 header length that opens the file

const char* dtype_code(DType dtype) { return dtype == DType::Float32 ? "F32" : "F64"; }
std::size_t item_size(DType dtype) { return dtype == DType::Float32 ? 4 : 8; }

// The safetensors dtypes recgrad has no tensor type for, so a file holding them gets a precise error.
bool is_other_safetensors_dtype(const std::string& code) {
  static const char* const others[] = {"BOOL", "U8",  "I8",  "I16", "U16", "F16",     "BF16",
                                       "I32",  "U32", "I64", "U64", "F8_E5M2", "F8_E4M3"};
  return std::any_of(std::begin(others), std::end(others), [&](const char* other) { return code == other; });
}

// One tensor's header entry, checked against itself; its place among the others is checked later.
struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

class HeaderReader {
 public:
  explicit HeaderReader(const std::string& source) : source_(source) {}

  [[noreturn]] void fail(const std::string& message) const { throw std::invalid_argument(source_ + ": " + message); }

  Entry entry(const std::string& name, const nlohmann::json& info) const {
    const std::string tensor = "tensor '" + name + "'";
    if (!info.is_object()) fail(tensor + ": expected {dtype, shape, data_offsets}, got " + info.dump());
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!info.contains(key)) fail(tensor + ": missing \"" + key + "\"");

    Entry e{name, DType::Float32, {}, 0, 0};
    const nlohmann::json& dtype = info["dtype"];
    const std::string code = dtype.is_string() ? dtype.get<std::string>() : dtype.dump();
    if (code == "F32" || code == "F64")
      e.dtype = code == "F32" ? DType::Float32 : DType::Float64;
    else if (is_other_safetensors_dtype(code))
      fail(tensor + ": dtype " + code + " is not supported (recgrad tensors are F32 or F64)");
    else
      fail(tensor + ": unknown dtype " + code);

    // numel * item size, refusing any product that does not fit in 64 bits.
    std::uint64_t bytes = item_size(e.dtype);
    const nlohmann::json& shape = info["shape"];
    if (!shape.is_array()) fail(tensor + ": shape must be a list of sizes, got " + shape.dump());
    for (const nlohmann::json& size : shape) {
      if (!size.is_number_unsigned()) fail(tensor + ": shape must be a list of sizes, got " + shape.dump());
      const std::uint64_t n = size.get<std::uint64_t>();
      if (n != 0 && bytes > std::numeric_limits<std::uint64_t>::max() / n)
        fail(tensor + ": shape " + shape.dump() + " is too large");
      bytes *= n;
      e.shape.push_back(static_cast<std::size_t>(n));
    }

    const nlohmann::json& offsets = info["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned() || offsets[0].get<std::uint64_t>() > offsets[1].get<std::uint64_t>())
      fail(tensor + ": data_offsets must be [begin, end] with begin <= end, got " + offsets.dump());
    e.begin = offsets[0].get<std::uint64_t>();
    e.end = offsets[1].get<std::uint64_t>();
    if (e.end - e.begin != bytes)
      fail(tensor + ": shape " + shape.dump() + " of " + code + " needs " + std::to_string(bytes) +
           " bytes, data_offsets " + offsets.dump() + " hold " + std::to_string(e.end - e.begin));
    return e;
  }

  std::map<std::string, std::string> metadata(const nlohmann::json& info) const {
    if (!info.is_object()) fail("__metadata__ must map strings to strings, got " + info.dump());
    std::map<std::string, std::string> metadata;
    for (const auto& item : info.items()) {
      if (!item.value().is_string())
        fail("__metadata__ must map strings to strings; '" + item.key() + "' is " + item.value().dump());
      metadata[item.key()] = item.value().get<std::string>();
    }
    return metadata;
  }

  // The data section must be exactly the tensors' bytes, each byte belonging to one tensor.
  void check_layout(std::vector<Entry>& entries, std::uint64_t data_size) const {
    // By (begin, end), as the reference does, so an empty tensor sorts before one starting at its offset.
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
    });
    std::uint64_t covered = 0;
    const Entry* previous = nullptr;
    for (const Entry& e : entries) {
      const std::string offsets = "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
      if (e.end > data_size)
        fail("tensor '" + e.name + "': data_offsets " + offsets + " reach beyond the data section of " +
             std::to_string(data_size) + " bytes");
      if (e.begin < covered)
        fail("tensor '" + e.name + "': data_offsets " + offsets + " overlap tensor '" + previous->name + "'");
      if (e.begin > covered)
        fail("tensor '" + e.name + "': data_offsets " + offsets + " leave bytes " + std::to_string(covered) +
             ".." + std::to_string(e.begin) + " of the data section unused");
      covered = e.end;
      previous = &e;
    }
    if (covered != data_size)
      fail("the data section has " + std::to_string(data_size) + " bytes but the tensors cover " +
           std::to_string(covered));
  }

 private:
  const std::string& source_;
};

}  // namespace

std::string safetensors_bytes(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    if (!tensor.defined()) throw std::invalid_argument("save_safetensors: tensor '" + name + "' is undefined");
    if (name == "__metadata__" || header.contains(name))
      throw std::invalid_argument("save_safetensors: the name '" + name + "' is " +
                                  (name == "__metadata__" ? "reserved" : "given twice"));
    const std::uint64_t bytes = tensor.numel() * item_size(tensor.dtype());
    nlohmann::ordered_json& entry = header[name];
    entry["dtype"] = dtype_code(tensor.dtype());
    entry["shape"] = tensor.shape();
    entry["data_offsets"] = nlohmann::ordered_json::array({offset, offset + bytes});
    offset += bytes;
  }

  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::type_error& e) {
    throw std::invalid_argument(std::string("save_safetensors: a name or metadata value is not valid UTF-8: ") +
                                e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  std::string bytes;
  bytes.reserve(kLengthBytes + text.size() + offset);
  for (std::size_t i = 0; i < kLengthBytes; ++i)
    bytes.push_back(static_cast<char>((static_cast<std::uint64_t>(text.size()) >> (8 * i)) & 0xFF));
  bytes += text;
  // A named pair rather than a structured binding: C++17 does not let a lambda capture a binding (clang refuses).
  for (const auto& named : tensors) {
    const Tensor& tensor = named.second;
    dispatch(tensor.dtype(), [&](auto zero) {
      using T = decltype(zero);
      bytes.append(reinterpret_cast<const char*>(tensor.data<T>()), tensor.numel() * sizeof(T));
    });
  }
  return bytes;
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomically(path, safetensors_bytes(tensors, metadata));
}

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source) {
  const HeaderReader reader(source);
  if (bytes.size() < kLengthBytes)
    reader.fail("too short for a safetensors file (" + std::to_string(bytes.size()) + " bytes, need at least 8)");
  std::uint64_t header_size = 0;
  for (std::size_t i = 0; i < kLengthBytes; ++i)
    header_size |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  if (header_size > bytes.size() - kLengthBytes)
    reader.fail("header length " + std::to_string(header_size) + " is larger than the " +
                std::to_string(bytes.size() - kLengthBytes) + " bytes after it");

  const nlohmann::json header = parse_json(bytes.substr(kLengthBytes, header_size), source + ": header");
  if (!header.is_object()) reader.fail("header is not a JSON object: " + header.dump().substr(0, 40));

  SafetensorsFile file;
  std::vector<Entry> entries;
  for (const auto& item : header.items()) {
    if (item.key() == "__metadata__")
      file.metadata = reader.metadata(item.value());
    else
      entries.push_back(reader.entry(item.key(), item.value()));
  }
  const std::string_view data = bytes.substr(kLengthBytes + header_size);
  reader.check_layout(entries, data.size());

  for (const Entry& e : entries) {
    Tensor tensor = Tensor::zeros(e.shape, e.dtype);
    if (e.end > e.begin)  // an empty tensor may have no buffer to copy into
      dispatch(e.dtype, [&](auto zero) {
        using T = decltype(zero);
        std::memcpy(tensor.mutable_data<T>(), data.data() + e.begin, e.end - e.begin);
      });
    file.tensors.emplace_back(e.name, std::move(tensor));
  }
  return file;
}

SafetensorsFile load_safetensors(const std::string& path) { return parse_safetensors(read_file(path), path); }

std::string tensor_crc32(const Tensor& tensor) {
  const std::uint32_t crc = dispatch(tensor.dtype(), [&](auto zero) {
    using T = decltype(zero);
    return crc32(tensor.data<T>(), tensor.numel() * sizeof(T));
  });
  static const char* const digits = "0123456789abcdef";
  std::string hex(8, '0');
  for (int i = 0; i < 8; ++i) hex[std::size_t(i)] = digits[(crc >> (28 - 4 * i)) & 15];
  return hex;
}

}  // namespace recgrad
