// libFuzzer target: any bytes as a safetensors checkpoint. A broken or lying file must be a
// std::invalid_argument naming the problem, before any allocation its header asks for; anything else
// (a crash, an out-of-bounds read, another exception, a leak) is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    recgrad::parse_safetensors(bytes, "fuzz.safetensors");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
