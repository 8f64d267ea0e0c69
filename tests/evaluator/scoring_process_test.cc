// Scoring through the real ProcessSandbox: a [fitness] program (trusted, its
// own job) and [[objectives]] (evaluator/scoring.cc, fitness_program.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "evaluator/evaluator.h"
#include "evaluator/fitness_program.h"
#include "evaluator/task_loader.h"
#include "sandbox/process_sandbox.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTaskToml[] = R"(name = "pareto-sh"
description = "Print a number: quality against cost."

[program]
root = "program"
editable = ["answer.sh"]

[trusted]
root = "harness"

[[stages]]
name = "check"
run = "printf '{\"metrics\": {\"value\": %s}}' $(sh ./answer.sh) > $CAMBRIAN_OUT/metrics.json"
timeout = "10s"

[[objectives]]
name = "quality"
goal = "maximize"

[[objectives]]
name = "cost"
goal = "minimize"
bounds = [0, 10000]

[fitness]
program = "python3 $CAMBRIAN_TRUSTED/fitness.py"
program_timeout = "20s"
)";

// Reads every stage's metrics, rejects 13, crashes on 99.
constexpr char kFitness[] = R"(import json, os, sys
data = json.load(open(os.environ["CAMBRIAN_METRICS"]))
value = data["metrics"]["value"]
assert data["stages"]["check"]["metrics"]["value"] == value
assert data["stages"]["check"]["wall_seconds"] >= 0
if value == 13:
    json.dump({"feedback": "13 is unlucky"}, open(os.environ["CAMBRIAN_OUT"] + "/metrics.json", "w"))
    sys.exit(3)
if value == 99:
    raise RuntimeError("this fitness program has a bug")
report = {"metrics": {"quality": value, "cost": value * value}, "feedback": "scored by the program"}
json.dump(report, open(os.environ["CAMBRIAN_OUT"] + "/metrics.json", "w"))
)";

class ScoringProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("scoring_process_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    ASSERT_TRUE(WriteFile(root_ / "task" / "task.toml", kTaskToml).ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "program" / "answer.sh", "echo 1\n").ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "harness" / "fitness.py", kFitness).ok());
    fs::create_directories(root_ / "jobs");
  }
  void TearDown() override { fs::remove_all(root_); }

  absl::StatusOr<Evaluation> Evaluate(const std::string& answer) {
    absl::StatusOr<Task> task = LoadTask(root_ / "task");
    if (!task.ok()) return task.status();
    auto fitness = MakeExpressionFitness(task->fitness_score);
    if (!fitness.ok()) return fitness.status();
    sandbox::ProcessSandbox process;
    Evaluator evaluator(*task, process, **fitness, {.jobs_root = root_ / "jobs"});
    return evaluator.Evaluate({{"answer.sh", answer}}, "c7", 40, nullptr);
  }

  fs::path root_;
};

TEST_F(ScoringProcessTest, TheProgramsMetricsMakeTheObjectives) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 5\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  ASSERT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->objectives, (Metrics{{"quality", 5}, {"cost", 25}}));
  EXPECT_EQ(evaluation->fitness, 5);  // the headline: the first objective
  EXPECT_EQ(evaluation->metrics.at("cost"), 25);
  EXPECT_EQ(evaluation->feedback, "scored by the program");
  EXPECT_TRUE(fs::is_empty(root_ / "jobs"));
}

TEST_F(ScoringProcessTest, ARejectionIsTheCandidates) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 13\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kWrongAnswer);
  EXPECT_THAT(evaluation->note, HasSubstr("[fitness] program rejected it: 13 is unlucky"));
  EXPECT_FALSE(evaluation->fitness);
  EXPECT_TRUE(evaluation->objectives.empty());
}

TEST_F(ScoringProcessTest, AFailingProgramIsTheTasksErrorWithItsOutput) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 99\n");
  ASSERT_FALSE(evaluation.ok());
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(evaluation.status().message());
  EXPECT_THAT(message, HasSubstr("task 'pareto-sh': its [fitness] program failed"));
  EXPECT_THAT(message, HasSubstr("on candidate c7"));
  EXPECT_THAT(message, HasSubstr("the task is broken, not the candidate"));
  EXPECT_THAT(message, HasSubstr("RuntimeError: this fitness program has a bug"));
}

TEST_F(ScoringProcessTest, AnObjectiveOutsideItsBoundsIsImplausible) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 200\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kImplausible);
  EXPECT_THAT(evaluation->note, HasSubstr("objective 'cost' = 40000 is outside its bounds"));
  EXPECT_FALSE(evaluation->fitness);
}

TEST_F(ScoringProcessTest, AMissingObjectiveMetricIsAWrongAnswer) {
  std::string toml = kTaskToml;
  toml.replace(toml.find("name = \"cost\""), 13, "name = \"cost\"\nexpr = \"latency\"");
  ASSERT_TRUE(WriteFile(root_ / "task" / "task.toml", toml).ok());
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 5\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kWrongAnswer);
  EXPECT_THAT(evaluation->note,
              HasSubstr("objective 'cost' needs metric 'latency', which no stage reported"));
}

TEST_F(ScoringProcessTest, OneObjectiveKeepsItsBounds) {
  std::string toml = kTaskToml;
  const std::string quality = "[[objectives]]\nname = \"quality\"\ngoal = \"maximize\"\n\n";
  toml.erase(toml.find(quality), quality.size());
  ASSERT_TRUE(WriteFile(root_ / "task" / "task.toml", toml).ok());
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 200\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kImplausible) << evaluation->note;
  evaluation = Evaluate("echo 5\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->fitness, 25);  // cost, the only objective
}

TEST(FitnessProgramInputTest, InATaskWithAJudgeOnlyJudgesMetricsArePassed) {
  Task task;
  task.stages = {{.name = "build", .run = "make"}, {.name = "bench", .run = "./w", .judge = "./j"}};
  Evaluation evaluation;
  evaluation.metrics = {{"claimed_speed", 1e9}, {"gflops", 12}, {"code_lines", 40}};
  StageResult build{.name = "build"};
  build.metrics = {{"claimed_speed", 1e9}};
  StageResult bench{.name = "bench", .judge = sandbox::JobResult{}};
  bench.metrics = {{"gflops", 12}};
  evaluation.stages = {build, bench};
  const std::string input =
      FitnessProgramInput(task, evaluation, {"gflops", "code_lines"}, /*seed=*/5);
  EXPECT_THAT(input, HasSubstr("\"gflops\": 12"));
  EXPECT_THAT(input, HasSubstr("\"code_lines\": 40"));
  EXPECT_THAT(input, ::testing::Not(HasSubstr("claimed_speed")));
  // Without a judge every stage's metrics are the task's to read.
  task.stages[1].judge.clear();
  EXPECT_THAT(FitnessProgramInput(task, evaluation, {}, 5), HasSubstr("claimed_speed"));
}

}  // namespace
}  // namespace cambrian::evaluator
