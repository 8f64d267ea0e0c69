#include "declarations.h"

#include <string>

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

std::string ErrorFor(const std::string& payload) {
  std::string error;
  EXPECT_FALSE(ParseDeclarations(payload, &error)) << payload;
  return error;
}

TEST(DeclarationsTest, ParsesLinesInOrder) {
  std::string error;
  auto parsed = ParseDeclarations("threads 1\nkernel.name ikj unroll 4\nempty \n", &error);
  ASSERT_TRUE(parsed) << error;
  ASSERT_EQ(parsed->entries().size(), 3u);
  EXPECT_EQ(parsed->Find("kernel.name"), "ikj unroll 4");
  EXPECT_EQ(parsed->Find("empty"), "");
  EXPECT_EQ(parsed->FindNumber("threads"), 1.0);
  EXPECT_FALSE(parsed->Find("absent"));
}

TEST(DeclarationsTest, EmptyPayloadIsNoDeclarations) {
  std::string error;
  auto parsed = ParseDeclarations("", &error);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->empty());
}

TEST(DeclarationsTest, RejectsMalformedLines) {
  EXPECT_NE(ErrorFor("a 1").find("line 1: not terminated"), std::string::npos);
  EXPECT_NE(ErrorFor("a 1\nnospace\n").find("line 2"), std::string::npos);
  ErrorFor("1abc 2\n");
  ErrorFor("a-b 2\n");
  ErrorFor(" a 2\n");
  ErrorFor(std::string(65, 'a') + " 1\n");
  ErrorFor("a tab\there\n");
  ErrorFor("a caf\xc3\xa9\n");
  ErrorFor("a " + std::string(257, 'v') + "\n");
  ErrorFor("a 1\r\n");
}

TEST(DeclarationsTest, AtMost256Lines) {
  std::string payload;
  for (int i = 0; i < 256; ++i) payload += "n" + std::to_string(i) + " 1\n";
  std::string error;
  EXPECT_TRUE(ParseDeclarations(payload, &error)) << error;
  payload += "one_more 1\n";
  EXPECT_NE(ErrorFor(payload).find("more than 256"), std::string::npos);
}

TEST(DeclarationsTest, LongestValidNameAndValue) {
  const std::string name = "a" + std::string(63, 'b');
  std::string error;
  auto parsed = ParseDeclarations(name + " " + std::string(256, '~') + "\n", &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(parsed->Find(name)->size(), 256u);
}

TEST(DeclarationsTest, NumbersMustBeFinite) {
  Declarations d;
  ASSERT_TRUE(d.Add("x", "nan"));
  ASSERT_TRUE(d.Add("y", "1e999"));
  ASSERT_TRUE(d.Add("z", "12abc"));
  ASSERT_TRUE(d.Add("w", "-2.5e3"));
  for (const char* name : {"x", "y", "z"}) {
    bool bad = false;
    EXPECT_FALSE(d.FindNumber(name, &bad)) << name;
    EXPECT_TRUE(bad) << name;
  }
  EXPECT_EQ(d.FindNumber("w"), -2500.0);
}

TEST(DeclarationsTest, FormatRoundTripsAndAddRefusesInvalidPairs) {
  Declarations d;
  EXPECT_TRUE(d.Add("a", "1"));
  EXPECT_TRUE(d.Add("a", "2"));
  EXPECT_FALSE(d.Add("bad name", "1"));
  EXPECT_FALSE(d.Add("b", "line\nbreak"));
  const std::string text = FormatDeclarations(d);
  EXPECT_EQ(text, "a 1\na 2\n");
  std::string error;
  auto back = ParseDeclarations(text, &error);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Find("a"), "2");
}

}  // namespace
}  // namespace cambrian::kernels
