#include "entropy.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace cambrian::kernels {
namespace {

uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::optional<std::array<uint64_t, 4>> SecretSeed(std::string* error) {
  std::array<uint64_t, 4> seed{};
  auto* bytes = reinterpret_cast<unsigned char*>(seed.data());
  size_t filled = 0;
  while (filled < sizeof seed) {
    const ssize_t got = getrandom(bytes + filled, sizeof seed - filled, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      *error = std::string("getrandom: ") + std::strerror(errno);
      return std::nullopt;
    }
    filled += static_cast<size_t>(got);
  }
  return seed;
}

FastRng::FastRng(const std::array<uint64_t, 4>& seed) : s_(seed) {
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_ = {0x9e3779b97f4a7c15ULL, 1, 2, 3};
}

std::optional<FastRng> FastRng::FromEntropy(std::string* error) {
  std::optional<std::array<uint64_t, 4>> seed = SecretSeed(error);
  if (!seed) return std::nullopt;
  return FastRng(*seed);
}

uint64_t FastRng::Next() {
  const uint64_t result = RotateLeft(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = RotateLeft(s_[3], 45);
  return result;
}

double FastRng::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

void FastRng::Fill(std::span<float> out, float lo, float hi) {
  const float scale = (hi - lo) * 0x1.0p-24f;
  size_t i = 0;
  // Two 24-bit draws per 64-bit output.
  for (; i + 1 < out.size(); i += 2) {
    const uint64_t bits = Next();
    out[i] = lo + static_cast<float>(bits >> 40) * scale;
    out[i + 1] = lo + static_cast<float>((bits >> 16) & 0xffffff) * scale;
  }
  if (i < out.size()) out[i] = lo + static_cast<float>(Next() >> 40) * scale;
}

}  // namespace cambrian::kernels
