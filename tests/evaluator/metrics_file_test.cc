#include "evaluator/metrics_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/file_util.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

TEST(MetricsFileTest, ParsesNumbersBooleansAndFeedback) {
  absl::StatusOr<StageReport> report =
      ParseStageReport(R"({"metrics": {"gflops": 41.2, "correct": true, "n": 3, "bad": false},
                           "feedback": "try tiling"})");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->metrics, (Metrics{{"gflops", 41.2}, {"correct", 1}, {"n", 3}, {"bad", 0}}));
  EXPECT_EQ(report->feedback, "try tiling");
}

TEST(MetricsFileTest, BothKeysAreOptional) {
  absl::StatusOr<StageReport> report = ParseStageReport("{}");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->metrics.empty());
  EXPECT_TRUE(report->feedback.empty());
}

TEST(MetricsFileTest, MalformedReportsSayWhatIsWrong) {
  const std::pair<const char*, const char*> kCases[] = {
      {"{\"metrics\": {", "not valid JSON"},
      {"[1, 2]", "the top level is array"},
      {"{\"metrics\": [1]}", "\"metrics\" is array"},
      {"{\"metrics\": {\"x\": \"fast\"}}", "metric 'x' is string \"fast\""},
      {"{\"metrics\": {\"x\": null}}", "metric 'x' is null"},
      {"{\"metrics\": {\"x\": 1e999}}", "not valid JSON"},  // nlohmann: overflow
      {"{\"metrics\": {\"bad-name\": 1}}", "metric name 'bad-name' is not an identifier"},
      {"{\"feedback\": 3}", "\"feedback\" is number"},
      {"{\"metric\": {}}", "unknown key 'metric'"},
  };
  for (const auto& [text, expected] : kCases) {
    absl::StatusOr<StageReport> report = ParseStageReport(text);
    ASSERT_FALSE(report.ok()) << text;
    EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(report.status().message(), HasSubstr("malformed metrics.json"));
    EXPECT_THAT(report.status().message(), HasSubstr(expected)) << text;
  }
}

// Hostile reports under the size limit: each is refused (or cut) with a
// short note, and nothing recurses over the candidate's structure.
TEST(MetricsFileTest, DeepNestingIsRefusedBeforeParsing) {
  const std::string deep =
      "{\"metrics\": {\"x\": " + std::string(500000, '[') + std::string(500000, ']') + "}}";
  absl::StatusOr<StageReport> report = ParseStageReport(deep);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("nested deeper than 8 levels"));
  EXPECT_LT(report.status().message().size(), 200u);
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseStageReport("{\"feedback\": \"[[[[[[[[[[[[{{{{{{{{\\\"\"}").ok());
  // Within the limit, a structured value is described, not dumped.
  report = ParseStageReport("{\"metrics\": {\"x\": [[[[1, 2, 3]]]]}}");
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("metric 'x' is array of 1 element(s)"));
}

TEST(MetricsFileTest, TooManyOrTooLongMetricNamesAreRefused) {
  std::string many = "{\"metrics\": {";
  for (size_t i = 0; i <= kMaxMetrics; ++i) many += "\"m" + std::to_string(i) + "\": 1,";
  many.back() = '}';
  many += "}";
  absl::StatusOr<StageReport> report = ParseStageReport(many);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("257 metrics, over the limit of 256"));

  const std::string long_name(100000, 'a');
  report = ParseStageReport("{\"metrics\": {\"" + long_name + "\": 1}}");
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("at most 64 bytes"));
  EXPECT_LT(report.status().message().size(), 300u);
}

TEST(MetricsFileTest, LongValuesAreQuotedBoundedAndEscaped) {
  const std::string long_value(500000, 'x');
  absl::StatusOr<StageReport> report =
      ParseStageReport("{\"metrics\": {\"v\": \"" + long_value + "\\u001b[2J\"}}");
  ASSERT_FALSE(report.ok());
  EXPECT_LT(report.status().message().size(), 300u);
  report = ParseStageReport("{\"metrics\": {\"v\": \"\\u001b]0;title\\u0007\"}}");
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("\\u001b]0;title\\u0007"));
  EXPECT_EQ(report.status().message().find('\x1b'), std::string::npos);
}

TEST(MetricsFileTest, LongFeedbackIsCutWithAMark) {
  const std::string feedback(100000, 'f');
  absl::StatusOr<StageReport> report = ParseStageReport("{\"feedback\": \"" + feedback + "\"}");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_LT(report->feedback.size(), kMaxFeedbackBytes + 100);
  EXPECT_THAT(report->feedback, HasSubstr("[... " + std::to_string(100000 - kMaxFeedbackBytes) +
                                          " more bytes of feedback cut]"));
}

class ReadStageReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("metrics_file_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ReadStageReportTest, AbsentFileIsNullopt) {
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(dir_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->has_value());
}

TEST_F(ReadStageReportTest, ReadsTheFile) {
  ASSERT_TRUE(WriteFile(dir_ / "metrics.json", R"({"metrics": {"a": 2}})").ok());
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(dir_);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_TRUE(report->has_value());
  EXPECT_EQ((*report)->metrics, (Metrics{{"a", 2}}));
}

TEST_F(ReadStageReportTest, SymlinkIsRefused) {
  ASSERT_TRUE(WriteFile(dir_ / "elsewhere.json", R"({"metrics": {"a": 2}})").ok());
  fs::create_symlink(dir_ / "elsewhere.json", dir_ / "metrics.json");
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(dir_);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("not a regular file"));
}

TEST_F(ReadStageReportTest, SymlinkedDirectoryIsRefused) {
  // A job that can replace its output directory by a link to a secret's
  // directory must not get the controller to read it.
  fs::create_directories(dir_ / "secret");
  ASSERT_TRUE(WriteFile(dir_ / "secret" / "metrics.json", R"({"metrics": {"key": 1}})").ok());
  fs::create_directory_symlink(dir_ / "secret", dir_ / "out");
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(dir_ / "out");
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("not a plain directory"));
}

TEST_F(ReadStageReportTest, FifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(mkfifo((dir_ / "metrics.json").c_str(), 0600), 0);
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(dir_);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("not a regular file"));
}

TEST_F(ReadStageReportTest, OversizedFileIsRefused) {
  std::string big = "{\"feedback\": \"" + std::string(kMaxMetricsFileBytes, 'x') + "\"}";
  ASSERT_TRUE(WriteFile(dir_ / "metrics.json", big).ok());
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(dir_);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("over the limit"));
}

}  // namespace
}  // namespace cambrian::evaluator
