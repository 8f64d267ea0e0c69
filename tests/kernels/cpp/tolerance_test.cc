#include "tolerance.h"

#include <cmath>
#include <vector>

#include "entropy.h"
#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

TEST(ToleranceTest, HalfRoundTripsEveryFiniteValue) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float value = HalfToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(value)) {
      EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(value)))) << bits;
      continue;
    }
    EXPECT_EQ(FloatToHalf(value), bits) << bits;
  }
}

TEST(ToleranceTest, HalfRoundsToNearestEvenAndOverflowsToInfinity) {
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 0x1.0p-11f)), 1.0f);  // a tie goes to even
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 0x1.8p-11f)), 1.0f + 0x1.0p-10f);
  EXPECT_EQ(HalfToFloat(FloatToHalf(65504.0f)), 65504.0f);
  EXPECT_TRUE(std::isinf(HalfToFloat(FloatToHalf(65520.0f))));
  EXPECT_EQ(HalfToFloat(FloatToHalf(0x1.0p-24f)), 0x1.0p-24f);  // smallest subnormal
  EXPECT_EQ(HalfToFloat(FloatToHalf(-2.5f)), -2.5f);
}

TEST(ToleranceTest, Bf16KeepsTheTopBitsRounded) {
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f)), 1.0f);
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f + 0x1.0p-8f)), 1.0f);  // tie to even
  EXPECT_EQ(Bf16ToFloat(FloatToBf16(1.0f + 0x1.8p-8f)), 1.0f + 0x1.0p-7f);
  EXPECT_TRUE(std::isnan(Bf16ToFloat(FloatToBf16(std::nanf("")))));
  // Half a unit in the last place at most: 2^-9 relative.
  EXPECT_LE(std::fabs(Bf16ToFloat(FloatToBf16(-3.0e38f)) / -3.0e38f - 1), 0x1.0p-9);
}

TEST(ToleranceTest, TolerancesAreOrderedByPrecision) {
  EXPECT_LT(ToleranceFor(DType::kF32).rtol, ToleranceFor(DType::kF16).rtol);
  EXPECT_LT(ToleranceFor(DType::kF16).rtol, ToleranceFor(DType::kBF16).rtol);
  EXPECT_EQ(DTypeBytes(DType::kBF16), 2u);
  EXPECT_STREQ(DTypeName(DType::kF16), "f16");
}

TEST(ToleranceTest, FloatRoundingPassesAndADroppedTermFails) {
  FastRng rng({1, 2, 3, 4});
  const int n = 256;
  std::vector<float> a(n * n), b(n * n);
  rng.Fill(a, -1, 1);
  rng.Fill(b, -1, 1);
  // Row 0 of A times B, summed forwards in float, backwards in float, and
  // in double: all agree within the f32 tolerance.
  std::vector<float> forward(n), backward(n), exact(n), dropped(n);
  for (int j = 0; j < n; ++j) {
    float f = 0, r = 0;
    double d = 0;
    for (int k = 0; k < n; ++k) f += a[k] * b[k * n + j];
    for (int k = n - 1; k >= 0; --k) r += a[k] * b[k * n + j];
    for (int k = 0; k < n; ++k) d += static_cast<double>(a[k]) * b[k * n + j];
    forward[j] = f, backward[j] = r, exact[j] = static_cast<float>(d);
    dropped[j] = j == 7 ? f - a[3] * b[3 * n + j] : f;
  }
  const Tolerance f32 = ToleranceFor(DType::kF32);
  EXPECT_TRUE(Compare(forward, exact, f32).ok()) << Describe(Compare(forward, exact, f32));
  EXPECT_TRUE(Compare(backward, forward, f32).ok());
  const Comparison c = Compare(dropped, exact, f32);
  EXPECT_EQ(c.bad, 1u);
  EXPECT_EQ(c.first_bad, 7u);
  EXPECT_GT(c.worst, 1);
}

TEST(ToleranceTest, NonFiniteOutputsFailUnlessTheReferenceAgrees) {
  const std::vector<float> want = {1, 2, NAN, INFINITY};
  EXPECT_TRUE(Compare(std::vector<float>{1, 2, NAN, INFINITY}, want, {1e-4, 1e-4}).ok());
  const Comparison c = Compare(std::vector<float>{1, NAN, 0, INFINITY}, want, {1e-4, 1e-4});
  EXPECT_EQ(c.bad, 2u);
  EXPECT_EQ(c.nonfinite, 1u);
  EXPECT_EQ(c.first_bad, 1u);
  EXPECT_NE(Describe(c).find("2 of 4 elements wrong (1 not finite)"), std::string::npos);
}

TEST(ToleranceTest, SizeMismatchAndEmptyNeverPass) {
  EXPECT_FALSE(Compare(std::vector<float>{1}, std::vector<float>{1, 2}, {1, 1}).ok());
  EXPECT_FALSE(Compare(std::vector<float>{}, std::vector<float>{}, {1, 1}).ok());
}

}  // namespace
}  // namespace cambrian::kernels
