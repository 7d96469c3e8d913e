#pragma once
// CRC-32 (IEEE 802.3, the checksum of zip, gzip and PNG) of a byte range: checkpoints store one per
// tensor, so a flipped bit in a file is found on load instead of silently changing a weight. It catches
// every single-bit error and every burst of up to 32 bits.
#include <cstddef>
#include <cstdint>

namespace recgrad {

std::uint32_t crc32(const void* data, std::size_t size);

}  // namespace recgrad
