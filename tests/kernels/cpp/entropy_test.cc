#include "entropy.h"

#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

TEST(EntropyTest, SecretSeedsDiffer) {
  std::string error;
  auto a = SecretSeed(&error), b = SecretSeed(&error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_NE(*a, *b);
}

TEST(EntropyTest, SameSeedSameStream) {
  FastRng a({1, 2, 3, 4}), b({1, 2, 3, 4}), zero({0, 0, 0, 0});
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.Next(), b.Next());
  std::set<uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(zero.Next());
  EXPECT_EQ(seen.size(), 100u);
}

TEST(EntropyTest, FillStaysInRangeAndCoversIt) {
  std::string error;
  auto rng = FastRng::FromEntropy(&error);
  ASSERT_TRUE(rng) << error;
  std::vector<float> v(100001);
  rng->Fill(v, -1.0f, 1.0f);
  double sum = 0;
  float lo = 1, hi = -1;
  for (float x : v) {
    ASSERT_GE(x, -1.0f);
    ASSERT_LT(x, 1.0f);
    sum += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_LT(std::abs(sum / v.size()), 0.02);
  EXPECT_LT(lo, -0.99f);
  EXPECT_GT(hi, 0.99f);
  for (int i = 0; i < 1000; ++i) {
    const double u = rng->Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace cambrian::kernels
