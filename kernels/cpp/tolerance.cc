#include "tolerance.h"

#include <bit>
#include <cmath>
#include <cstdio>

namespace cambrian::kernels {

Tolerance ToleranceFor(DType type) {
  switch (type) {
    case DType::kF32:
      return {1e-4, 1e-4};
    case DType::kF16:
      return {2e-3, 2e-3};
    case DType::kBF16:
      return {1.6e-2, 1.6e-2};
  }
  return {0, 0};
}

const char* DTypeName(DType type) {
  switch (type) {
    case DType::kF32:
      return "f32";
    case DType::kF16:
      return "f16";
    case DType::kBF16:
      return "bf16";
  }
  return "?";
}

size_t DTypeBytes(DType type) { return type == DType::kF32 ? 4 : 2; }

uint16_t FloatToBf16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  if (std::isnan(value)) return static_cast<uint16_t>((bits >> 16) | 0x40);  // stays quiet NaN
  const uint32_t rounding = 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>((bits + rounding) >> 16);
}

float Bf16ToFloat(uint16_t bits) { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

uint16_t FloatToHalf(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  const uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) return sign | 0x7e00;     // NaN
  if (magnitude >= 0x477ff000) return sign | 0x7c00;    // rounds to >= 65520: infinity
  if (magnitude < 0x38800000) {                         // below 2^-14: subnormal or zero
    const float scaled = std::fabs(value) * 0x1.0p24f;  // units of 2^-24
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits.
  const uint32_t rebased = magnitude - ((127 - 15) << 23);
  const uint32_t rounding = 0xfff + ((rebased >> 13) & 1);
  return sign | static_cast<uint16_t>((rebased + rounding) >> 13);
}

float HalfToFloat(uint16_t bits) {
  const float sign = (bits & 0x8000) ? -1.0f : 1.0f;
  const int exponent = (bits >> 10) & 0x1f;
  const int mantissa = bits & 0x3ff;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31) return mantissa ? std::nanf("") : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}

Comparison Compare(std::span<const float> got, std::span<const float> want, Tolerance tolerance) {
  Comparison result;
  result.checked = want.size();
  if (got.size() != want.size()) {
    result.bad = result.checked = std::max(got.size(), want.size());
    return result;
  }
  double sum_squares = 0;
  for (float w : want) {
    if (std::isfinite(w)) sum_squares += static_cast<double>(w) * w;
  }
  const double scale = want.empty() ? 0 : std::sqrt(sum_squares / want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const double g = got[i], w = want[i];
    bool wrong;
    if (!std::isfinite(w)) {
      wrong = std::isnan(w) ? !std::isnan(g) : g != w;
    } else if (!std::isfinite(g)) {
      wrong = true;
      ++result.nonfinite;
    } else {
      const double allowed = tolerance.atol * scale + tolerance.rtol * std::fabs(w);
      const double error = std::fabs(g - w);
      const double ratio = allowed > 0 ? error / allowed : (error > 0 ? INFINITY : 0);
      result.worst = std::max(result.worst, ratio);
      wrong = !(ratio <= 1);
    }
    if (wrong && result.bad++ == 0) result.first_bad = i;
  }
  return result;
}

std::string Describe(const Comparison& c) {
  char text[200];
  if (c.checked == 0) return "nothing to compare";
  if (c.bad == 0) {
    std::snprintf(text, sizeof text, "all %zu within tolerance (worst %.3gx)", c.checked, c.worst);
  } else {
    std::snprintf(text, sizeof text,
                  "%zu of %zu elements wrong (%zu not finite), first at %zu, worst %.3gx the "
                  "tolerance",
                  c.bad, c.checked, c.nonfinite, c.first_bad, c.worst);
  }
  return text;
}

}  // namespace cambrian::kernels
