// Seeded random numbers. Every random choice in the search draws from an Rng
// passed in, so a fixed --seed reproduces a run. Not thread-safe.
#ifndef CAMBRIAN_COMMON_RNG_H_
#define CAMBRIAN_COMMON_RNG_H_

#include <cstdint>
#include <random>

namespace cambrian {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}

  // Uniform integer in [lo, hi] (inclusive).
  int64_t UniformInt(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine_);
  }
  // Uniform real in [0, 1).
  double Uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(engine_); }
  bool Bernoulli(double p) { return Uniform() < p; }
  uint64_t Next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_RNG_H_
