#include "stats.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

TEST(StatsTest, MedianOfOddAndEvenCounts) {
  EXPECT_EQ(Median({3, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(Median({7}), 7);
  EXPECT_TRUE(std::isnan(Median({})));
}

TEST(StatsTest, QuantilesInterpolate) {
  const std::vector<double> v = {10, 20, 30, 40, 50};
  EXPECT_EQ(Quantile(v, 0), 10);
  EXPECT_EQ(Quantile(v, 1), 50);
  EXPECT_EQ(Quantile(v, 0.25), 20);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.1), 14);
  EXPECT_TRUE(std::isnan(Quantile(v, 1.5)));
}

TEST(StatsTest, MedianRatioPairsEntriesAndSkipsZeroDenominators) {
  const std::vector<double> ref = {10, 20, 30, 40};
  const std::vector<double> cand = {5, 10, 0, 10};
  EXPECT_EQ(Ratios(ref, cand), (std::vector<double>{2, 2, 4}));
  EXPECT_EQ(MedianRatio(ref, cand), 2);
  // Load that slows both members of a pair alike cancels.
  EXPECT_EQ(MedianRatio(std::vector<double>{1, 3, 1}, std::vector<double>{2, 6, 2}), 0.5);
  EXPECT_TRUE(std::isnan(MedianRatio({}, {})));
}

TEST(StatsTest, RelativeIqr) {
  EXPECT_DOUBLE_EQ(RelativeIqr({9, 10, 10, 10, 11}), 0);
  EXPECT_DOUBLE_EQ(RelativeIqr({8, 9, 10, 11, 12}), 0.2);
  EXPECT_TRUE(std::isnan(RelativeIqr({0, 0})));
  EXPECT_TRUE(std::isnan(RelativeIqr({})));
}

}  // namespace
}  // namespace cambrian::kernels
