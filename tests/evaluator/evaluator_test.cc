#include "evaluator/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/testing/fake_sandbox.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::cambrian::testing::Ends;
using ::cambrian::testing::FakeJob;
using ::cambrian::testing::FakeSandbox;
using ::cambrian::testing::Reports;
using ::testing::HasSubstr;

const Program kProgram = {{"main.sh", "echo hi\necho there\n"}, {"lib/x.txt", "x"}};

Task ThreeStageTask() {
  Task task;
  task.name = "t";
  task.trusted_root = "/trusted/harness";
  task.stages = {
      {.name = "build", .run = "make build", .timeout = absl::Seconds(5), .pass_if = ""},
      {.name = "check", .run = "run check", .timeout = absl::Seconds(6), .pass_if = "correct == 1"},
      {.name = "bench", .run = "run bench", .timeout = absl::Seconds(7), .pass_if = ""}};
  task.fitness_score = "gflops";
  task.resources.memory_bytes = 123 << 20;
  task.resources.output_bytes = 4567;
  task.resources.file_bytes = 8910;
  return task;
}

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    jobs_root_ = fs::path(::testing::TempDir()) /
                 ("evaluator_" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(jobs_root_);
    fs::create_directories(jobs_root_);
    UseFitness(task_.fitness_score);
  }

  void UseFitness(const std::string& expression) {
    auto fitness = MakeExpressionFitness(expression);
    ASSERT_TRUE(fitness.ok()) << fitness.status();
    fitness_ = *std::move(fitness);
  }
  void TearDown() override { fs::remove_all(jobs_root_); }

  Evaluation Run(bool keep = false) {
    Evaluator evaluator(task_, sandbox_, *fitness_,
                        {.jobs_root = jobs_root_, .keep_job_dirs = keep});
    absl::StatusOr<Evaluation> evaluation = evaluator.Evaluate(kProgram, "c7", 100, nullptr);
    EXPECT_TRUE(evaluation.ok()) << evaluation.status();
    return evaluation.ok() ? *evaluation : Evaluation{};
  }

  Task task_ = ThreeStageTask();
  FakeSandbox sandbox_;
  std::unique_ptr<FitnessFunction> fitness_;
  fs::path jobs_root_;
};

TEST_F(EvaluatorTest, MergesMetricsAcrossStagesAndScores) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1, "gflops": 1}, "feedback": "ok"})"));
  sandbox_.On("bench", Reports(R"({"metrics": {"gflops": 41.5, "time_s": 2}})"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kOk);
  ASSERT_EQ(evaluation.stages.size(), 3u);
  EXPECT_EQ(evaluation.stages[2].name, "bench");
  EXPECT_EQ(evaluation.metrics,
            (Metrics{{"correct", 1}, {"gflops", 41.5}, {"time_s", 2}, {"code_lines", 3}}));
  ASSERT_TRUE(evaluation.fitness.has_value());
  EXPECT_DOUBLE_EQ(*evaluation.fitness, 41.5);
  EXPECT_EQ(evaluation.feedback, "ok");
  EXPECT_EQ(evaluation.note, "");
  EXPECT_EQ(evaluation.stages[0].seed, 100u);
  EXPECT_EQ(evaluation.stages[2].seed, 102u);
}

TEST_F(EvaluatorTest, PassIfFailureStopsTheCascade) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 0}})"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kWrongAnswer);
  ASSERT_EQ(evaluation.stages.size(), 2u);
  EXPECT_EQ(evaluation.stages[1].outcome, Outcome::kWrongAnswer);
  EXPECT_EQ(evaluation.stages[1].note, "pass_if 'correct == 1' failed (correct = 0)");
  EXPECT_THAT(evaluation.note, HasSubstr("stage 'check': pass_if"));
  EXPECT_FALSE(evaluation.fitness.has_value());
  EXPECT_EQ(sandbox_.commands(), (std::vector<std::string>{"make build", "run check"}));
}

TEST_F(EvaluatorTest, PassIfNeedingAnUnreportedMetric) {
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kWrongAnswer);
  ASSERT_EQ(evaluation.stages.size(), 2u);
  EXPECT_EQ(evaluation.stages[1].note, "pass_if needs metric 'correct', which no stage reported");
}

TEST_F(EvaluatorTest, BuildFailureIsBuildError) {
  sandbox_.On("make build", Ends(Outcome::kRuntimeError, "exit code 1"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kBuildError);
  ASSERT_EQ(evaluation.stages.size(), 1u);
  EXPECT_EQ(evaluation.stages[0].outcome, Outcome::kBuildError);
  EXPECT_EQ(evaluation.stages[0].job.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(evaluation.note, "stage 'build': exit code 1");
}

TEST_F(EvaluatorTest, FirstStageFailureIsBuildErrorWhateverItsName) {
  task_.stages[0].name = "prepare";
  sandbox_.On("make build", Ends(Outcome::kRuntimeError));
  EXPECT_EQ(Run().outcome, Outcome::kBuildError);
}

// Issue 15: a Python exception in a one-stage task was a build_error.
TEST_F(EvaluatorTest, AOneStageTasksFailureIsARuntimeError) {
  task_.stages = {{.name = "run", .run = "run check", .timeout = absl::Seconds(5)}};
  sandbox_.On("run check", Ends(Outcome::kRuntimeError, "exit code 1"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kRuntimeError);
  task_.stages[0].name = "build";  // unless it says it builds
  EXPECT_EQ(Run().outcome, Outcome::kBuildError);
}

TEST_F(EvaluatorTest, LaterRuntimeErrorStaysRuntimeError) {
  sandbox_.On("check", Ends(Outcome::kRuntimeError));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(evaluation.stages.size(), 2u);
}

TEST_F(EvaluatorTest, TimeoutPassesThrough) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1}})"));
  sandbox_.On("bench", Ends(Outcome::kTimeout, "killed after 7s wall time"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kTimeout);
  ASSERT_EQ(evaluation.stages.size(), 3u);
  EXPECT_EQ(evaluation.stages[2].outcome, Outcome::kTimeout);
  EXPECT_FALSE(evaluation.fitness.has_value());
}

TEST_F(EvaluatorTest, MalformedMetricsIsWrongAnswerWithNote) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": "yes"}})"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kWrongAnswer);
  ASSERT_EQ(evaluation.stages.size(), 2u);
  EXPECT_THAT(evaluation.stages[1].note, HasSubstr("malformed metrics.json: metric 'correct' is "
                                                   "string \"yes\""));
}

TEST_F(EvaluatorTest, MissingFitnessMetricIsWrongAnswer) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1}})"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kWrongAnswer);
  EXPECT_EQ(evaluation.stages.size(), 3u);
  EXPECT_EQ(evaluation.note, "fitness needs metric 'gflops', which no stage reported");
  EXPECT_FALSE(evaluation.fitness.has_value());
}

TEST_F(EvaluatorTest, NonFiniteFitnessIsWrongAnswer) {
  UseFitness("1 / time_s");
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1, "time_s": 0}})"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kWrongAnswer);
  EXPECT_THAT(evaluation.note, HasSubstr("not finite"));
}

TEST_F(EvaluatorTest, CodeLinesIsBuiltInAndCannotBeFaked) {
  UseFitness("code_lines");
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1, "code_lines": 1}})"));
  Evaluation evaluation = Run();
  EXPECT_EQ(evaluation.outcome, Outcome::kOk);
  EXPECT_EQ(evaluation.fitness, 3);
}

TEST_F(EvaluatorTest, JobSpecCarriesProtocolEnvAndLimits) {
  setenv("FAKE_SECRET_KEY", "sk-do-not-leak", 1);
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1, "gflops": 2}})"));
  Run();
  unsetenv("FAKE_SECRET_KEY");
  std::vector<sandbox::JobSpec> specs = sandbox_.specs();
  ASSERT_EQ(specs.size(), 3u);
  const sandbox::JobSpec& check = specs[1];
  const fs::path job_dir = jobs_root_ / "c7";
  EXPECT_EQ(check.argv, (std::vector<std::string>{"/bin/sh", "-c", "run check"}));
  EXPECT_EQ(check.work_dir, job_dir);
  EXPECT_EQ(check.env.at("CAMBRIAN_OUT"), (jobs_root_ / "c7.out" / "check").string());
  EXPECT_EQ(check.env.at("CAMBRIAN_TRUSTED"), "/trusted/harness");
  EXPECT_EQ(check.env.at("CAMBRIAN_SEED"), "101");
  EXPECT_EQ(check.env.at("CAMBRIAN_STAGE"), "check");
  EXPECT_EQ(check.env.at("CAMBRIAN_CANDIDATE"), "c7");
  EXPECT_EQ(check.env.at("CAMBRIAN_JOB_DIR"), job_dir.string());
  EXPECT_EQ(check.env.at("HOME"), job_dir.string());
  EXPECT_THAT(check.env.at("TMPDIR"), HasSubstr(job_dir.string() + "/"));
  EXPECT_TRUE(check.env.count("PATH"));
  for (const sandbox::JobSpec& spec : specs) {
    EXPECT_EQ(spec.env.count("FAKE_SECRET_KEY"), 0u);
    for (const auto& [name, value] : spec.env)
      EXPECT_EQ(value.find("sk-do-not-leak"), std::string::npos);
  }
  EXPECT_EQ(check.limits.wall_timeout, absl::Seconds(6));
  EXPECT_EQ(check.limits.memory_bytes, 123 << 20);
  EXPECT_EQ(check.limits.address_space_bytes, 0);  // the sandbox's fallback for memory_bytes
  EXPECT_GT(check.limits.max_processes, 0);
  EXPECT_GT(check.limits.disk_bytes, 0);
  EXPECT_EQ(check.writable_paths, std::vector<fs::path>{jobs_root_ / "c7.out" / "check"});
  EXPECT_EQ(check.read_only_paths, std::vector<fs::path>{"/trusted/harness"});
  EXPECT_FALSE(check.gpus.has_value());
  EXPECT_EQ(check.limits.output_bytes, 4567);
  EXPECT_EQ(check.limits.file_size_bytes, 8910);
}

TEST_F(EvaluatorTest, JobSeesProgramAndFreshDirsThenTheyAreRemoved) {
  bool saw_program = false, out_was_empty = false, tmp_exists = false;
  FakeJob build;
  build.on_run = [&](const sandbox::JobSpec& spec) {
    saw_program = fs::exists(spec.work_dir / "main.sh") && fs::exists(spec.work_dir / "lib/x.txt");
    out_was_empty = fs::is_empty(spec.env.at("CAMBRIAN_OUT"));
    tmp_exists = fs::is_directory(spec.env.at("TMPDIR"));
  };
  sandbox_.On("make build", build);
  ASSERT_TRUE(fs::create_directories(jobs_root_ / "c7" / "stale"));  // a leftover job dir
  Run();
  EXPECT_TRUE(saw_program);
  EXPECT_TRUE(out_was_empty);
  EXPECT_TRUE(tmp_exists);
  EXPECT_FALSE(fs::exists(jobs_root_ / "c7"));
  EXPECT_FALSE(fs::exists(jobs_root_ / "c7.out"));
}

TEST_F(EvaluatorTest, StaleJobDirIsReplaced) {
  bool stale_seen = true;
  FakeJob build;
  build.on_run = [&](const sandbox::JobSpec& spec) {
    stale_seen = fs::exists(spec.work_dir / "stale");
  };
  sandbox_.On("make build", build);
  ASSERT_TRUE(fs::create_directories(jobs_root_ / "c7" / "stale"));
  Run();
  EXPECT_FALSE(stale_seen);
}

TEST_F(EvaluatorTest, KeepJobDirsKeepsThem) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1, "gflops": 2}})"));
  Run(/*keep=*/true);
  EXPECT_TRUE(fs::exists(jobs_root_ / "c7" / "main.sh"));
  EXPECT_TRUE(fs::exists(jobs_root_ / "c7.out" / "check" / "metrics.json"));
}

TEST_F(EvaluatorTest, SandboxErrorIsAHarnessError) {
  FakeJob broken;
  broken.error = absl::UnavailableError("fork failed");
  sandbox_.On("check", broken);
  Evaluator evaluator(task_, sandbox_, *fitness_, {.jobs_root = jobs_root_});
  absl::StatusOr<Evaluation> evaluation = evaluator.Evaluate(kProgram, "c7", 1, nullptr);
  ASSERT_FALSE(evaluation.ok());
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(evaluation.status().message(), HasSubstr("stage 'check'"));
  EXPECT_FALSE(fs::exists(jobs_root_ / "c7"));
}

TEST_F(EvaluatorTest, CancelStopsBeforeTheNextStage) {
  std::atomic<bool> cancel{false};
  FakeJob build;
  build.on_run = [&](const sandbox::JobSpec&) { cancel = true; };
  sandbox_.On("make build", build);
  Evaluator evaluator(task_, sandbox_, *fitness_, {.jobs_root = jobs_root_});
  absl::StatusOr<Evaluation> evaluation = evaluator.Evaluate(kProgram, "c7", 1, &cancel);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kKilled);
  EXPECT_EQ(evaluation->note, "cancelled before stage 'check'");
  EXPECT_EQ(sandbox_.commands(), std::vector<std::string>{"make build"});
  EXPECT_EQ(sandbox_.specs()[0].cancel, &cancel);
}

TEST_F(EvaluatorTest, BadJobNameIsRejected) {
  Evaluator evaluator(task_, sandbox_, *fitness_, {.jobs_root = jobs_root_});
  for (const std::string name : {"", "..", "a/b"}) {
    EXPECT_EQ(evaluator.Evaluate(kProgram, name, 1, nullptr).status().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(sandbox_.specs().empty());
}

}  // namespace
}  // namespace cambrian::evaluator

namespace cambrian::evaluator {
namespace {

TEST_F(EvaluatorTest, GpusOfTheEvaluationReachEveryStage) {
  sandbox_.On("check", Reports(R"({"metrics": {"correct": 1}})"));
  sandbox_.On("bench", Reports(R"({"metrics": {"gflops": 2}})"));
  Evaluator evaluator(task_, sandbox_, *fitness_, {.jobs_root = jobs_root_});
  absl::StatusOr<Evaluation> evaluation =
      evaluator.Evaluate(kProgram, "c7", 100, nullptr, std::vector<int>{1, 3});
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  ASSERT_EQ(sandbox_.specs().size(), 3u);
  for (const sandbox::JobSpec& spec : sandbox_.specs()) {
    ASSERT_TRUE(spec.gpus.has_value());
    EXPECT_EQ(*spec.gpus, (std::vector<int>{1, 3}));
  }
}

}  // namespace
}  // namespace cambrian::evaluator
