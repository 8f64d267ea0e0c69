#include "common/units.h"

#include <gtest/gtest.h>

namespace cambrian {
namespace {

TEST(ParseDurationTest, AcceptsUnits) {
  EXPECT_EQ(*ParseDuration("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseDuration("250ms"), absl::Milliseconds(250));
  EXPECT_EQ(*ParseDuration("1.5m"), absl::Seconds(90));
  EXPECT_EQ(*ParseDuration("2h"), absl::Hours(2));
  EXPECT_EQ(*ParseDuration("12"), absl::Seconds(12));
  EXPECT_EQ(*ParseDuration(" 5 min "), absl::Minutes(5));
  EXPECT_EQ(*ParseDuration("1h30m"), absl::Minutes(90));
}

TEST(ParseDurationTest, RejectsGarbageWithTheText) {
  auto parsed = ParseDuration("soon");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("'soon'"), std::string::npos);
  EXPECT_FALSE(ParseDuration("10 parsecs").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("-3s").ok());
  EXPECT_FALSE(ParseDuration("-3").ok());
  EXPECT_FALSE(ParseDuration("inf").ok());
}

TEST(ParseBytesTest, AcceptsBinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseBytes("4GiB"), int64_t{4} << 30);
  EXPECT_EQ(*ParseBytes("512MiB"), int64_t{512} << 20);
  EXPECT_EQ(*ParseBytes("1GB"), int64_t{1000000000});
  EXPECT_EQ(*ParseBytes("1000"), 1000);
  EXPECT_EQ(*ParseBytes("1.5KiB"), 1536);
  EXPECT_FALSE(ParseBytes("lots").ok());
  EXPECT_FALSE(ParseBytes("4 GiBs").ok());
}

TEST(HumanDurationTest, IsCompact) {
  EXPECT_EQ(HumanDuration(absl::Milliseconds(340)), "340ms");
  EXPECT_EQ(HumanDuration(absl::Milliseconds(1500)), "1.5s");
  EXPECT_EQ(HumanDuration(absl::Seconds(65)), "1m05s");
  EXPECT_EQ(HumanDuration(absl::Seconds(3720)), "1h02m");
}

}  // namespace
}  // namespace cambrian
