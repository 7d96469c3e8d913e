#include <cstdint>
#include <filesystem>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/random.h"
#include "io/atomic_file.h"
#include "io/crc32.h"
#include "io/safetensors.h"
#include "tests/io/temp_dir.h"

namespace recgrad {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testing::TempDir;

// A file computed by hand: "w" = float32 [1, -2], then "s" = float64 0.5 of shape [].
const std::string kTinyHeader =
    R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"s":{"dtype":"F64","shape":[],"data_offsets":[8,16]}})";
const std::string kTinyFile = std::string("\x70\0\0\0\0\0\0\0", 8)  // 112 = 107 header bytes + 5 spaces
                              + kTinyHeader + "     " +
                              std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8)  // 1.0f, -2.0f
                              + std::string("\x00\x00\x00\x00\x00\x00\xe0\x3f", 8);  // 0.5

NamedTensors tiny_tensors() {
  return {{"w", Tensor::from_vector({2}, {1, -2}, DType::Float32)}, {"s", Tensor::scalar(0.5, DType::Float64)}};
}

// A file with this header text and data, its length prefix computed here.
std::string file_with(const std::string& header, const std::string& data = "") {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xFF));
  return bytes + header + data;
}

std::string with_length_prefix(std::uint64_t length, const std::string& rest) {
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((length >> (8 * i)) & 0xFF));
  return bytes + rest;
}

// The message of the std::invalid_argument that reading these bytes throws. Any other exception
// (bad_alloc from a lying size, a json exception) escapes and fails the test.
std::string load_error(const std::string& bytes) {
  try {
    parse_safetensors(bytes, "bad.safetensors");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_same(const NamedTensors& actual, const NamedTensors& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    SCOPED_TRACE(expected[i].first);
    EXPECT_EQ(actual[i].first, expected[i].first);
    EXPECT_EQ(actual[i].second.dtype(), expected[i].second.dtype());
    EXPECT_EQ(actual[i].second.shape(), expected[i].second.shape());
    EXPECT_EQ(actual[i].second.to_vector(), expected[i].second.to_vector());  // bit-exact
  }
}

TEST(Safetensors, WritesHandComputedBytes) {
  ASSERT_EQ(kTinyHeader.size(), 107u);
  EXPECT_EQ(safetensors_bytes(tiny_tensors()), kTinyFile);
}

TEST(Safetensors, ReadsHandComputedBytes) {
  expect_same(parse_safetensors(kTinyFile, "tiny").tensors, tiny_tensors());
}

TEST(Safetensors, SaveWritesTheSameBytesToAFile) {
  TempDir dir;
  save_safetensors(dir / "tiny.safetensors", tiny_tensors());
  EXPECT_EQ(read_file(dir / "tiny.safetensors"), kTinyFile);
}

TEST(Safetensors, MetadataComesFirstInTheHeader) {
  const std::string bytes = safetensors_bytes({{"w", Tensor::from_vector({2}, {1, -2}, DType::Float32)}}, {{"step", "3"}});
  const std::string header = R"({"__metadata__":{"step":"3"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  ASSERT_EQ(header.size(), 82u);  // padded by 6 spaces to 88 = 0x58
  EXPECT_EQ(bytes, std::string("\x58\0\0\0\0\0\0\0", 8) + header + "      " +
                       std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8));
}

TEST(Safetensors, RoundTripsFloat32AndFloat64Exactly) {
  Rng rng(7);
  const NamedTensors tensors = {
      {"attention.q_proj.weight", Tensor::randn({3, 4}, rng, DType::Float32)},
      {"attention.q_proj.bias", Tensor::randn({3}, rng, DType::Float32)},
      {"optim.adam.exp_avg.attention.q_proj.weight", Tensor::randn({2, 1, 3}, rng, DType::Float64)},
      {"optim.adam.step", Tensor::scalar(1200, DType::Float64)},
      {"empty_history", Tensor::zeros({0, 5}, DType::Float32)},
  };
  TempDir dir;
  save_safetensors(dir / "model.safetensors", tensors);
  expect_same(load_safetensors(dir / "model.safetensors").tensors, tensors);
}

TEST(Safetensors, MetadataRoundTrips) {
  const std::map<std::string, std::string> metadata = {
      {"step", "1200"}, {"rng", "13 7 42"}, {"note", "ünïcode and \"quotes\"\n"}};
  TempDir dir;
  save_safetensors(dir / "m.safetensors", tiny_tensors(), metadata);
  const SafetensorsFile file = load_safetensors(dir / "m.safetensors");
  EXPECT_EQ(file.metadata, metadata);
  expect_same(file.tensors, tiny_tensors());
}

TEST(Safetensors, NoTensorsIsAValidFile) {
  const SafetensorsFile file = parse_safetensors(safetensors_bytes({}), "empty");
  EXPECT_TRUE(file.tensors.empty());
  EXPECT_TRUE(file.metadata.empty());
}

TEST(Safetensors, HeaderIsPaddedWithSpacesToEightBytes) {
  for (std::size_t length = 1; length <= 9; ++length) {
    SCOPED_TRACE(length);
    const std::string bytes = safetensors_bytes({{std::string(length, 'a'), Tensor::zeros({1})}});
    const std::uint64_t header_size = static_cast<unsigned char>(bytes[0]);
    EXPECT_EQ(header_size % 8, 0u);
    const std::string header = bytes.substr(8, header_size);
    EXPECT_EQ(header.find_last_not_of(' '), header.rfind('}'));
    EXPECT_EQ(bytes.size(), 8 + header_size + 4);
  }
}

TEST(Safetensors, ReadsTensorsListedInAnyOrderByTheirOffsets) {
  const std::string bytes = file_with(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                                      R"("a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                      R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
                                      std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8));
  const SafetensorsFile file = parse_safetensors(bytes, "any-order");
  ASSERT_EQ(file.tensors.size(), 3u);
  EXPECT_EQ(file.tensors[0].first, "a");
  EXPECT_EQ(file.tensors[0].second.item(), 1.0);
  EXPECT_EQ(file.tensors[1].first, "e");
  EXPECT_EQ(file.tensors[2].first, "b");
  EXPECT_EQ(file.tensors[2].second.item(), -2.0);
}

TEST(Safetensors, SaveRejectsNamesGivenTwiceOrReserved) {
  const Tensor t = Tensor::zeros({1});
  EXPECT_THROW(safetensors_bytes({{"a", t}, {"a", t}}), std::invalid_argument);
  EXPECT_THROW(safetensors_bytes({{"__metadata__", t}}), std::invalid_argument);
  EXPECT_THROW(safetensors_bytes({{"a", Tensor()}}), std::invalid_argument);
}

TEST(Safetensors, MissingFileIsAnErrorNamingThePath) {
  TempDir dir;
  try {
    load_safetensors(dir / "none.safetensors");
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), dir / "none.safetensors: cannot open: No such file or directory");
  }
}

TEST(SafetensorsMalformed, FileShorterThanTheLengthPrefix) {
  EXPECT_EQ(load_error(""), "bad.safetensors: too short for a safetensors file (0 bytes, need at least 8)");
  EXPECT_EQ(load_error("1234567"), "bad.safetensors: too short for a safetensors file (7 bytes, need at least 8)");
}

TEST(SafetensorsMalformed, EveryTruncationIsAnError) {
  for (std::size_t size = 0; size < kTinyFile.size(); ++size) {
    SCOPED_TRACE(size);
    EXPECT_THAT(load_error(kTinyFile.substr(0, size)), StartsWith("bad.safetensors: "));
  }
}

TEST(SafetensorsMalformed, TrailingBytesAreAnError) {
  EXPECT_EQ(load_error(kTinyFile + "x"), "bad.safetensors: the data section has 17 bytes but the tensors cover 16");
}

TEST(SafetensorsMalformed, HeaderLengthLargerThanTheFile) {
  EXPECT_EQ(load_error(with_length_prefix(1000, "{}")),
            "bad.safetensors: header length 1000 is larger than the 2 bytes after it");
  EXPECT_EQ(load_error(with_length_prefix(std::numeric_limits<std::uint64_t>::max(), "{}")),
            "bad.safetensors: header length 18446744073709551615 is larger than the 2 bytes after it");
}

TEST(SafetensorsMalformed, HeaderLengthCuttingTheJson) {
  EXPECT_THAT(load_error(with_length_prefix(4, kTinyHeader)),
              StartsWith("bad.safetensors: header:1:5: invalid JSON: syntax error while parsing object separator - "
                         "unexpected end of input"));
}

TEST(SafetensorsMalformed, HeaderNotJson) {
  // The parser stops at the "o" of "nope", column 8.
  EXPECT_THAT(load_error(file_with(R"({"w": nope})")), StartsWith("bad.safetensors: header:1:8: invalid JSON: "));
}

TEST(SafetensorsMalformed, HeaderNotAnObject) {
  EXPECT_EQ(load_error(file_with("[1,2]")), "bad.safetensors: header is not a JSON object: [1,2]");
}

TEST(SafetensorsMalformed, UnknownAndUnsupportedDtypes) {
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}})", "abcd")),
            "bad.safetensors: tensor 'w': unknown dtype F33");
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":3,"shape":[1],"data_offsets":[0,4]}})", "abcd")),
            "bad.safetensors: tensor 'w': unknown dtype 3");
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", "abcdefgh")),
            "bad.safetensors: tensor 'w': dtype I64 is not supported (recgrad tensors are F32 or F64)");
}

TEST(SafetensorsMalformed, EntryWithoutItsFields) {
  EXPECT_EQ(load_error(file_with(R"({"w":3})")),
            "bad.safetensors: tensor 'w': expected {dtype, shape, data_offsets}, got 3");
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F32","shape":[1]}})", "abcd")),
            "bad.safetensors: tensor 'w': missing \"data_offsets\"");
}

TEST(SafetensorsMalformed, ShapeThatIsNotAListOfSizes) {
  for (const std::string shape : {"[-1]", "[2.5]", "\"2\"", "[[1]]"}) {
    SCOPED_TRACE(shape);
    EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F32","shape":)" + shape + R"(,"data_offsets":[0,4]}})", "abcd")),
              "bad.safetensors: tensor 'w': shape must be a list of sizes, got " + shape);
  }
}

TEST(SafetensorsMalformed, ShapeDisagreesWithOffsets) {
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", "abcdefgh")),
            "bad.safetensors: tensor 'w': shape [3] of F32 needs 12 bytes, data_offsets [0,8] hold 8");
}

TEST(SafetensorsMalformed, ShapeWhoseSizeOverflows) {
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                                 "abcdefgh")),
            "bad.safetensors: tensor 'w': shape [4294967296,4294967296] is too large");
}

TEST(SafetensorsMalformed, HugeTensorIsRejectedBeforeAllocating) {
  // 2^40 floats with offsets that agree: only the size of the file shows the lie.
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}})",
                                 "abcdefgh")),
            "bad.safetensors: tensor 'w': data_offsets [0, 4398046511104] reach beyond the data section of 8 bytes");
}

TEST(SafetensorsMalformed, OffsetsThatAreNotABeginEndPair) {
  for (const std::string offsets : {"[8,0]", "[0]", "[0,\"4\"]", "[-4,0]", "4"}) {
    SCOPED_TRACE(offsets);
    EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":)" + offsets + "}}", "abcd")),
              "bad.safetensors: tensor 'w': data_offsets must be [begin, end] with begin <= end, got " + offsets);
  }
}

TEST(SafetensorsMalformed, OverlappingTensors) {
  EXPECT_EQ(load_error(file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                 R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                 "abcdefghijkl")),
            "bad.safetensors: tensor 'b': data_offsets [4, 12] overlap tensor 'a'");
}

TEST(SafetensorsMalformed, GapBetweenTensors) {
  EXPECT_EQ(load_error(file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                 "abcdefghijkl")),
            "bad.safetensors: tensor 'b': data_offsets [8, 12] leave bytes 4..8 of the data section unused");
}

TEST(SafetensorsMalformed, DuplicateNames) {
  EXPECT_EQ(load_error(file_with(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                 R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                 "abcdefgh")),
            "bad.safetensors: header: duplicate key 'w'");
}

TEST(SafetensorsMalformed, MetadataThatIsNotStrings) {
  EXPECT_EQ(load_error(file_with(R"({"__metadata__":{"step":3}})")),
            "bad.safetensors: __metadata__ must map strings to strings; 'step' is 3");
  EXPECT_EQ(load_error(file_with(R"({"__metadata__":[]})")),
            "bad.safetensors: __metadata__ must map strings to strings, got []");
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  EXPECT_EQ(crc32("", 0), 0u);
  // a tensor's checksum is that of its bytes as written: float32 1.0 and -2.0 little-endian
  const Tensor t = Tensor::from_vector({2}, {1.0, -2.0}, DType::Float32);
  EXPECT_EQ(tensor_crc32(t), "c3872656");
  EXPECT_EQ(crc32("\x00\x00\x80\x3f\x00\x00\x00\xc0", 8), 0xc3872656u);
}

}  // namespace
}  // namespace recgrad

