// libFuzzer target: any bytes as a config file, through the JSON parser and the config validator as
// `recgrad train CONFIG` reads them. A bad config must be a std::invalid_argument naming the problem;
// anything else (a crash, another exception, a leak, a sanitizer report) is a bug.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

#include "io/json_config.h"
#include "train/config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    recgrad::parse_run_config(recgrad::parse_json(text, "fuzz.json"));
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
