#include "sandbox/output_tail.h"

#include <gtest/gtest.h>

#include <string>

namespace cambrian::sandbox {
namespace {

TEST(OutputTailTest, KeepsEverythingUnderCapacity) {
  OutputTail tail(10);
  tail.Append("abc");
  tail.Append("def");
  EXPECT_EQ(tail.Tail(), "abcdef");
  EXPECT_EQ(tail.total_bytes(), 6);
}

TEST(OutputTailTest, KeepsTheLastBytesOfManySmallChunks) {
  OutputTail tail(5);
  std::string all;
  for (int i = 0; i < 1000; ++i) {
    std::string chunk = std::to_string(i) + ",";
    all += chunk;
    tail.Append(chunk);
  }
  EXPECT_EQ(tail.Tail(), all.substr(all.size() - 5));
  EXPECT_EQ(tail.total_bytes(), static_cast<int64_t>(all.size()));
}

TEST(OutputTailTest, OneChunkLargerThanCapacity) {
  OutputTail tail(4);
  tail.Append("xy");
  tail.Append("0123456789");
  EXPECT_EQ(tail.Tail(), "6789");
  EXPECT_EQ(tail.total_bytes(), 12);
}

TEST(OutputTailTest, ZeroCapacityOnlyCounts) {
  OutputTail tail(0);
  tail.Append("hello");
  EXPECT_EQ(tail.Tail(), "");
  EXPECT_EQ(tail.total_bytes(), 5);
}

TEST(OutputTailTest, DoesNotStartInsideAUtf8Sequence) {
  OutputTail at_lead_byte(3);
  at_lead_byte.Append("ab\xC3\xA9z");  // "abéz": the last 3 bytes are "éz"
  EXPECT_EQ(at_lead_byte.Tail(), "\xC3\xA9z");
  OutputTail inside(2);
  inside.Append("a\xC3\xA9z");  // the last 2 bytes start inside the 'é'
  EXPECT_EQ(inside.Tail(), "z");
}

}  // namespace
}  // namespace cambrian::sandbox
