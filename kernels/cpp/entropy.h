// Inputs a worker cannot predict (kernels/PROTOCOL.md, step 1 of a call):
// secret entropy from getrandom(2), never from CAMBRIAN_SEED, which the
// candidate knows, stretched by a fast generator.
#ifndef CAMBRIAN_KERNELS_ENTROPY_H_
#define CAMBRIAN_KERNELS_ENTROPY_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace cambrian::kernels {

// 256 bits from getrandom(2) (blocking only until the kernel's pool is
// initialised). nullopt and `*error` if the call fails.
[[nodiscard]] std::optional<std::array<uint64_t, 4>> SecretSeed(std::string* error);

// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, not
// cryptographic; its state lives only in the judge, which is what makes
// its output secret. Not thread-safe.
class FastRng {
 public:
  // A state of all zeros (the one invalid state) is replaced by a fixed one.
  explicit FastRng(const std::array<uint64_t, 4>& seed);
  // Seeded by SecretSeed; nullopt and `*error` if that fails.
  [[nodiscard]] static std::optional<FastRng> FromEntropy(std::string* error);

  uint64_t Next();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  // Fills `out` with floats uniform in [lo, hi), 24 random bits each.
  void Fill(std::span<float> out, float lo, float hi);

 private:
  std::array<uint64_t, 4> s_;
};

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_ENTROPY_H_
