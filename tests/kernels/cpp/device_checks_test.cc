// The GPU judges' device-independent checks: peak rates from device facts,
// launch declarations, poison and guard words.
#include <cmath>
#include <vector>

#include "device_peak.h"
#include "gtest/gtest.h"
#include "launch_decl.h"
#include "poison.h"

namespace cambrian::kernels {
namespace {

TEST(DevicePeakTest, KnownDatasheetFigures) {
  // A100 SXM4: 108 SMs at 1410 MHz, HBM2 at 1215 MHz on 5120 bits.
  const DeviceFacts a100{"A100", 8, 0, 108, 1410000, 1215000, 5120, 40 << 20};
  EXPECT_NEAR(PeakFp32Gflops(a100), 19492, 1);
  EXPECT_NEAR(PeakMemoryGBs(a100), 1555, 1);
  // H100 SXM5: 132 SMs at 1980 MHz, HBM3 at 2619 MHz on 5120 bits.
  const DeviceFacts h100{"H100", 9, 0, 132, 1980000, 2619000, 5120, 50 << 20};
  EXPECT_NEAR(PeakFp32Gflops(h100), 66908, 1);
  EXPECT_NEAR(PeakMemoryGBs(h100), 3352, 1);
  // RTX 4090 (8.9): 128 SMs at 2520 MHz, GDDR6X reported at 10501 MHz, 384 bits.
  const DeviceFacts ada{"4090", 8, 9, 128, 2520000, 10501000, 384, 72 << 20};
  EXPECT_NEAR(PeakFp32Gflops(ada), 82575, 1);
  EXPECT_NEAR(PeakMemoryGBs(ada), 1008, 1);
}

TEST(DevicePeakTest, UnknownFactsGiveNoBound) {
  EXPECT_EQ(PeakFp32Gflops(DeviceFacts{"old", 5, 2, 16, 1000000, 1, 1, 0}), 0);
  EXPECT_EQ(PeakMemoryGBs(DeviceFacts{"x", 9, 0, 1, 1, 0, 5120, 0}), 0);
  EXPECT_EQ(Fp32LanesPerSm(7, 5), 64);
  EXPECT_EQ(Fp32LanesPerSm(12, 0), 128);
}

TEST(LaunchDeclTest, GridCoversEveryElement) {
  const LaunchDecl decl{16, 16, 1, 64, 32, 1, 0};
  ASSERT_EQ(CheckLaunch(decl, {509, 383, 1}, LaunchLimits{}), "");
  const Grid grid = GridFor(decl, {509, 383, 1});
  EXPECT_EQ(grid.x, 8);  // ceil(509 / 64)
  EXPECT_EQ(grid.y, 12);
  EXPECT_EQ(grid.z, 1);
  EXPECT_EQ(DescribeLaunch(decl), "block 16x16x1, tile 64x32x1, 0 B dynamic shared memory");
}

TEST(LaunchDeclTest, RefusesWhatTheDeviceCannotLaunch) {
  const LaunchLimits limits;
  EXPECT_NE(CheckLaunch({64, 32, 1, 1, 1, 1, 0}, {1, 1, 1}, limits).find("2048 threads"),
            std::string::npos);
  EXPECT_NE(CheckLaunch({0, 1, 1, 1, 1, 1, 0}, {1, 1, 1}, limits), "");
  EXPECT_NE(CheckLaunch({1, 1, 128, 1, 1, 1, 0}, {1, 1, 1}, limits), "");  // z at most 64
  EXPECT_NE(CheckLaunch({32, 1, 1, 0, 1, 1, 0}, {1, 1, 1}, limits), "");   // tile 0
  EXPECT_NE(CheckLaunch({32, 1, 1, 1, 1, 1, -4}, {1, 1, 1}, limits), "");
  EXPECT_NE(CheckLaunch({32, 1, 1, 1, 1, 1, 49153}, {1, 1, 1}, limits), "");
  EXPECT_NE(CheckLaunch({32, 1, 1, 1, 1, 1, 0}, {1, 70000, 1}, limits).find("70000 blocks"),
            std::string::npos);
}

TEST(PoisonTest, PoisonIsNanInEveryFloatTypeAndGuardsDifferFromIt) {
  EXPECT_TRUE(std::isnan(std::bit_cast<float>(kPoisonWord)));
  // Each half as f16 (exponent all ones, mantissa non-zero) and bf16.
  const uint16_t half = kPoisonWord & 0xffff;
  EXPECT_EQ(half & 0x7c00, 0x7c00);
  EXPECT_NE(half & 0x03ff, 0);
  EXPECT_TRUE(std::isnan(std::bit_cast<float>(static_cast<uint32_t>(half) << 16)));
  for (uint64_t r : {0ull, 1ull, 0x7fc17fc17fc17fc1ull, 0xffffffffffffffffull, 0x1234ull}) {
    const uint32_t guard = GuardWord(r);
    EXPECT_NE(guard, 0u);
    EXPECT_NE(guard, kPoisonWord);
  }
  std::vector<uint32_t> words(100);
  FillWords(words, 7);
  words[40] = 8;
  EXPECT_EQ(CountChanged(words, 7), 1u);
}

}  // namespace
}  // namespace cambrian::kernels
