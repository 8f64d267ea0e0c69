#include "evaluator/evaluation_json.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::evaluator {
namespace {

using ::testing::HasSubstr;

TEST(EvaluationJsonTest, RoundTripsEverythingTheArchiveKeeps) {
  Evaluation evaluation;
  evaluation.outcome = Outcome::kWrongAnswer;
  evaluation.metrics = {{"gflops", 12.5}, {"broken", std::nan("")}};
  evaluation.feedback = "too slow";
  evaluation.note = "stage 'bench': pass_if failed";
  StageResult stage;
  stage.name = "bench";
  stage.outcome = Outcome::kWrongAnswer;
  stage.note = "pass_if failed";
  stage.seed = 77;
  stage.job.exit_code = 0;
  stage.job.wall_seconds = 1.5;
  stage.job.cpu_seconds = 1.25;
  stage.job.peak_rss_bytes = 1 << 20;
  stage.job.output_bytes = 9;
  stage.job.output_tail = "out\xff\n";  // not UTF-8: replaced, not a failure
  stage.job.detail = "exited 0";
  stage.judge = sandbox::JobResult{};
  evaluation.stages.push_back(stage);

  absl::StatusOr<Evaluation> back = EvaluationFromJson(EvaluationToJson(evaluation));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->outcome, Outcome::kWrongAnswer);
  EXPECT_FALSE(back->fitness.has_value());
  EXPECT_DOUBLE_EQ(back->metrics.at("gflops"), 12.5);
  EXPECT_TRUE(std::isnan(back->metrics.at("broken")));
  EXPECT_EQ(back->feedback, "too slow");
  EXPECT_EQ(back->note, evaluation.note);
  ASSERT_EQ(back->stages.size(), 1u);
  const StageResult& got = back->stages[0];
  EXPECT_EQ(got.name, "bench");
  EXPECT_EQ(got.outcome, Outcome::kWrongAnswer);
  EXPECT_EQ(got.seed, 77u);
  EXPECT_DOUBLE_EQ(got.job.cpu_seconds, 1.25);
  EXPECT_EQ(got.job.peak_rss_bytes, 1 << 20);
  EXPECT_EQ(got.job.detail, "exited 0");
  EXPECT_THAT(got.job.output_tail, HasSubstr("out"));
  EXPECT_TRUE(got.judge.has_value());

  evaluation.outcome = Outcome::kOk;
  evaluation.fitness = 3.25;
  EXPECT_EQ(EvaluationFromJson(EvaluationToJson(evaluation))->fitness, 3.25);
}

TEST(EvaluationJsonTest, DamagedResultsAreDataLoss) {
  for (const std::string bad :
       {"", "[]", "{}", R"({"outcome": "great"})", R"({"outcome": "ok", "fitness": "1"})",
        R"({"outcome": "ok", "metrics": {"a": "x"}})", R"({"outcome": "ok", "stages": [{}]})",
        R"({"outcome": "ok", "stages": [{"name": "run"}]})"}) {
    absl::StatusOr<Evaluation> parsed = EvaluationFromJson(bad);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

}  // namespace
}  // namespace cambrian::evaluator
