// How close a kernel's output must be to the trusted reference's, per
// element type, and the comparison itself. Shared by every judge that checks
// floating-point outputs (the CUDA tasks; docs/kernels.md "Tolerances").
//
// Rule, for every element i of an output:
//   |got[i] - want[i]| <= atol * scale + rtol * |want[i]|
// where scale is the root mean square of the whole reference output, so atol
// is relative to the output's typical size and the rule does not depend on
// how the inputs were scaled. A non-finite element fails unless the
// reference has the same value there (NaN where the reference is NaN).
#ifndef CAMBRIAN_KERNELS_TOLERANCE_H_
#define CAMBRIAN_KERNELS_TOLERANCE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace cambrian::kernels {

enum class DType { kF32, kF16, kBF16 };

struct Tolerance {
  double atol = 0;  // times the reference's RMS
  double rtol = 0;  // times |want[i]|
};

// f32: 1e-4 and 1e-4: any summation order of float products passes at the
// tasks' sizes (typical differences are ~3e-6 of the RMS), TF32 tensor-core
// math (10-bit mantissa, ~5e-4) does not. f16: 2e-3 (two units in the last
// place at 2^-10). bf16: 1.6e-2 (two units at 2^-7): both sides round their
// result to the type, so one unit of disagreement is normal.
Tolerance ToleranceFor(DType type);
const char* DTypeName(DType type);
size_t DTypeBytes(DType type);

// IEEE binary16 and bfloat16 conversions, round to nearest even (NaN stays
// NaN, overflow gives infinity), so a judge can make and read such data on
// the host without a GPU library.
uint16_t FloatToHalf(float value);
float HalfToFloat(uint16_t bits);
uint16_t FloatToBf16(float value);
float Bf16ToFloat(uint16_t bits);

struct Comparison {
  size_t checked = 0;
  size_t bad = 0;        // elements outside the tolerance (non-finite ones included)
  size_t nonfinite = 0;  // NaN or infinity where the reference is finite
  size_t first_bad = 0;  // index of the first bad element (valid when bad > 0)
  double worst = 0;      // max |got - want| / allowed over finite elements
  bool ok() const { return bad == 0 && checked > 0; }
};

// Compares element by element; sizes must match (a size mismatch is all bad).
Comparison Compare(std::span<const float> got, std::span<const float> want, Tolerance tolerance);

// "3 of 4096 elements wrong (2 not finite), first at 17, worst 4.1x the
// tolerance" or "all 4096 within tolerance (worst 0.02x)".
std::string Describe(const Comparison& comparison);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_TOLERANCE_H_
