#include "common/program.h"

#include <gtest/gtest.h>

namespace cambrian {
namespace {

TEST(ProgramHashTest, DependsOnPathsAndContents) {
  Program a = {{"a.cc", "int x;\n"}, {"b.cc", "int y;\n"}};
  Program b = a;
  EXPECT_EQ(ProgramHash(a), ProgramHash(b));
  EXPECT_EQ(ProgramHash(a).size(), 64u);
  b["b.cc"] = "int z;\n";
  EXPECT_NE(ProgramHash(a), ProgramHash(b));
  Program renamed = {{"a.cc", "int x;\n"}, {"c.cc", "int y;\n"}};
  EXPECT_NE(ProgramHash(a), ProgramHash(renamed));
}

TEST(ProgramHashTest, LengthPrefixingPreventsAmbiguity) {
  // Same concatenated bytes, different split between path and content.
  Program a = {{"ab", "c"}};
  Program b = {{"a", "bc"}};
  EXPECT_NE(ProgramHash(a), ProgramHash(b));
}

TEST(CountLinesTest, CountsUnterminatedLastLine) {
  EXPECT_EQ(CountLines({{"a", "x\ny\n"}, {"b", "z"}}), 3);
  EXPECT_EQ(CountLines({{"a", ""}}), 0);
}

}  // namespace
}  // namespace cambrian
