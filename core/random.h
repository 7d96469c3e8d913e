#pragma once
// A seeded random engine owned by the caller (never a global one), so runs are reproducible and
// the state can be saved in a checkpoint. Uniform and normal draws are computed here from the raw
// 64-bit stream, not by <random>'s distributions, whose outputs differ between standard libraries.
#include <cstdint>
#include <random>
#include <string>

namespace recgrad {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : engine_(seed) {}
  double uniform();                          // [0, 1)
  double uniform(double low, double high);   // [low, high)
  double normal(double mean = 0.0, double stddev = 1.0);
  std::uint64_t below(std::uint64_t n);      // integer in [0, n)
  std::uint64_t next() { return engine_(); }

  std::string state() const;                 // text form, for checkpoints
  void set_state(const std::string& state);  // throws std::invalid_argument on a malformed state

 private:
  std::mt19937_64 engine_;
};

}  // namespace recgrad
