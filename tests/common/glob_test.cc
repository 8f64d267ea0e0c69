#include "common/glob.h"

#include <gtest/gtest.h>

namespace cambrian {
namespace {

TEST(GlobTest, StarCrossesDirectories) {
  EXPECT_TRUE(MatchesGlob("*.cpp", "matmul.cpp"));
  EXPECT_TRUE(MatchesGlob("*.cpp", "src/deep/matmul.cpp"));
  EXPECT_TRUE(MatchesGlob("src/*", "src/a/b.h"));
  EXPECT_FALSE(MatchesGlob("src/*", "lib/a.h"));
  EXPECT_FALSE(MatchesGlob("*.cpp", "matmul.cc"));
}

TEST(GlobTest, AnyOfSeveral) {
  EXPECT_TRUE(MatchesAnyGlob("k3.cu", {"x", "k?.cu"}));
  EXPECT_FALSE(MatchesAnyGlob("a.py", {}));
}

}  // namespace
}  // namespace cambrian
