// "Did you mean" hints (common/did_you_mean.h).
#include "common/did_you_mean.h"

#include <gtest/gtest.h>

namespace cambrian {
namespace {

TEST(DidYouMeanTest, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("leaderbord", "leaderboard"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("same", "same"), 0u);
}

TEST(DidYouMeanTest, TheClosestKnownNameWithinTheLimit) {
  const std::vector<std::string_view> commands = {"run", "resume", "leaderboard", "show"};
  EXPECT_EQ(ClosestName("leaderbord", commands), "leaderboard");
  EXPECT_EQ(ClosestName("reusme", commands), "resume");
  EXPECT_EQ(ClosestName("rn", commands), "run");
  EXPECT_EQ(ClosestName("frobnicate", commands), std::nullopt);
  EXPECT_EQ(ClosestName("tile_m", {"tile_n", "tile_m2"}), "tile_n");  // the first of equals
}

}  // namespace
}  // namespace cambrian
