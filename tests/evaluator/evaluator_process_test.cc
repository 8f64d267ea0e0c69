// End to end through the real ProcessSandbox: a task directory with a shell
// "program" and a trusted checker, loaded by LoadTask and run by /bin/sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "evaluator/evaluator.h"
#include "evaluator/task_loader.h"
#include "sandbox/process_sandbox.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTaskToml[] = R"(name = "shell-sum"
description = "Print a number; bigger is better."

[program]
root = "program"
editable = ["answer.sh"]

[trusted]
root = "harness"

[[stages]]
name = "build"
run = "sh -n answer.sh"
timeout = "10s"

[[stages]]
name = "check"
run = "sh $CAMBRIAN_TRUSTED/check.sh"
timeout = "10s"
pass_if = "correct == 1"

[fitness]
score = "value * 2"
goal = "maximize"
)";

// The trusted checker: runs the candidate, validates its answer, reports.
constexpr char kCheck[] = R"(value=$(sh ./answer.sh)
if [ "$value" -ge 0 ] 2>/dev/null; then correct=1; else correct=0; value=0; fi
printf '{"metrics": {"correct": %s, "value": %s, "seed": %s}, "feedback": "stage %s"}' \
  "$correct" "$value" "$CAMBRIAN_SEED" "$CAMBRIAN_STAGE" > "$CAMBRIAN_OUT/metrics.json"
)";

class EvaluatorProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("evaluator_process_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    ASSERT_TRUE(WriteFile(root_ / "task" / "task.toml", kTaskToml).ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "program" / "answer.sh", "echo 1\n").ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "harness" / "check.sh", kCheck).ok());
    fs::create_directories(root_ / "jobs");
  }
  void TearDown() override { fs::remove_all(root_); }

  // Evaluates `answers` in turn with one Evaluator; returns the last result.
  absl::StatusOr<Evaluation> EvaluateAll(const std::vector<std::string>& answers,
                                         sandbox::Sandbox* sandbox = nullptr) {
    absl::StatusOr<Task> task = LoadTask(root_ / "task");
    if (!task.ok()) return task.status();
    auto fitness = MakeExpressionFitness(task->fitness_score);
    if (!fitness.ok()) return fitness.status();
    sandbox::ProcessSandbox process;
    Evaluator evaluator(*task, sandbox != nullptr ? *sandbox : process, **fitness,
                        {.jobs_root = root_ / "jobs"});
    absl::StatusOr<Evaluation> last;
    for (const std::string& answer : answers) {
      last = evaluator.Evaluate({{"answer.sh", answer}}, "c1", 40, nullptr);
      if (!last.ok()) return last;
    }
    return last;
  }
  absl::StatusOr<Evaluation> Evaluate(const std::string& answer) { return EvaluateAll({answer}); }

  fs::path root_;
};

TEST_F(EvaluatorProcessTest, GoodProgramIsScored) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo 21\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->fitness, 42);
  EXPECT_EQ(evaluation->metrics.at("seed"), 41);  // seed + stage index
  EXPECT_EQ(evaluation->feedback, "stage check");
  EXPECT_TRUE(fs::is_empty(root_ / "jobs"));
}

TEST_F(EvaluatorProcessTest, ProfileVariablesReachTheJobButNeverReplaceTheProtocol) {
  std::string toml = kTaskToml;
  toml.insert(toml.find("[program]"), "default_profile = \"small\"\n\n");
  toml += "\n[profiles.small]\nenv = { ANSWER_SCALE = \"3\" }\n";
  ASSERT_TRUE(WriteFile(root_ / "task" / "task.toml", toml).ok());
  absl::StatusOr<Task> task = LoadTask(root_ / "task");
  ASSERT_TRUE(task.ok()) << task.status();
  // The loader refuses CAMBRIAN_* in a profile; the evaluator must hold even so.
  task->stage_env["CAMBRIAN_SEED"] = "999";
  auto fitness = MakeExpressionFitness(task->fitness_score);
  ASSERT_TRUE(fitness.ok());
  sandbox::ProcessSandbox process;
  Evaluator evaluator(*task, process, **fitness, {.jobs_root = root_ / "jobs"});
  absl::StatusOr<Evaluation> evaluation =
      evaluator.Evaluate({{"answer.sh", "echo $((7 * ANSWER_SCALE))\n"}}, "c1", 40, nullptr);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->metrics.at("value"), 21);
  EXPECT_EQ(evaluation->metrics.at("seed"), 41);
}

TEST_F(EvaluatorProcessTest, SyntaxErrorIsBuildError) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("if then fi (\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kBuildError);
  EXPECT_EQ(evaluation->stages.size(), 1u);
}

TEST_F(EvaluatorProcessTest, WrongAnswerFailsPassIf) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("echo minus-one\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kWrongAnswer);
  ASSERT_EQ(evaluation->stages.size(), 2u);
  EXPECT_THAT(evaluation->stages[1].note, HasSubstr("pass_if 'correct == 1' failed (correct = 0)"));
}

constexpr char kTamper[] = "echo '# pwned' >> \"$CAMBRIAN_TRUSTED/check.sh\"; echo 21\n";

TEST_F(EvaluatorProcessTest, ChangingTheTrustedCheckerIsTamperedAndNeverScored) {
  absl::StatusOr<Evaluation> evaluation = Evaluate(kTamper);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kTampered);
  EXPECT_FALSE(evaluation->fitness.has_value());
  EXPECT_THAT(evaluation->note, HasSubstr("trusted files changed"));
}

TEST_F(EvaluatorProcessTest, AfterTamperingNothingMoreIsEvaluated) {
  absl::StatusOr<Evaluation> evaluation = EvaluateAll({kTamper, "echo 21\n"});
  ASSERT_FALSE(evaluation.ok());
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(evaluation.status().message()), HasSubstr("restore them"));
}

TEST_F(EvaluatorProcessTest, UnderBubblewrapTheTrustedFilesCannotBeChanged) {
  auto choice = sandbox::MakeSandbox({.mode = sandbox::SandboxMode::kBwrap});
  if (!choice.ok()) GTEST_SKIP() << choice.status();
  const std::string before = *ReadFile(root_ / "task" / "harness" / "check.sh");
  absl::StatusOr<Evaluation> evaluation =
      EvaluateAll({kTamper, "echo 21\n"}, choice->sandbox.get());
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->fitness, 42);
  EXPECT_EQ(*ReadFile(root_ / "task" / "harness" / "check.sh"), before);
}

}  // namespace
}  // namespace cambrian::evaluator
