#include "report.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

TEST(ReportTest, JsonStringEscapes) {
  EXPECT_EQ(JsonString("a\"b\\c\nd\te\x01"), "\"a\\\"b\\\\c\\nd\\u0009e\\u0001\"");
  EXPECT_EQ(JsonString("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonString("bad\xff"), "\"bad\xef\xbf\xbd\"");
  EXPECT_EQ(JsonString("\xed\xa0\x80"), "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");  // surrogate
  EXPECT_EQ(JsonString("\xc3"), "\"\xef\xbf\xbd\"");
}

TEST(ReportTest, MetricsInOrderFiniteOnly) {
  Report report;
  EXPECT_TRUE(report.Set("speedup", 1.5));
  EXPECT_TRUE(report.Set("correct", 1));
  EXPECT_TRUE(report.Set("speedup", 2));
  EXPECT_FALSE(report.Set("bad name", 1));
  EXPECT_FALSE(report.Set("1x", 1));
  EXPECT_TRUE(report.Set("gflops", std::numeric_limits<double>::infinity()));
  EXPECT_EQ(report.ToJson(),
            "{\"metrics\": {\"speedup\": 2, \"correct\": 1, \"gflops\": 0}, \"feedback\": "
            "\"metric gflops was not finite and is reported as 0\"}\n");
}

TEST(ReportTest, NumbersRoundTrip) {
  Report report;
  report.Set("x", 0.1);
  report.Set("y", 1e-300);
  EXPECT_EQ(report.ToJson(), "{\"metrics\": {\"x\": 0.1, \"y\": 1e-300}}\n");
}

TEST(ReportTest, FeedbackIsBoundedOnACharacterBoundary) {
  Report report;
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "\xc3\xa9";  // 2000 bytes of é
  report.AddFeedback("x");
  report.AddFeedback(text);
  EXPECT_LE(report.feedback().size(), kMaxFeedbackBytes);
  EXPECT_EQ(report.feedback().substr(report.feedback().size() - 3), "...");
  EXPECT_EQ(JsonString(report.feedback()).find("\xef\xbf\xbd"), std::string::npos);
}

TEST(ReportTest, WriteToReplacesTheFileWhole) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("report_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  Report report;
  report.Set("correct", 1);
  report.AddFeedback("ok");
  std::string error;
  ASSERT_TRUE(report.WriteTo(dir.string(), &error)) << error;
  std::ifstream in(dir / "metrics.json");
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), report.ToJson());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temp left
  EXPECT_FALSE(report.WriteTo((dir / "missing").string(), &error));
  EXPECT_NE(error.find("cannot create"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cambrian::kernels
