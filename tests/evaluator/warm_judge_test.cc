// Warm judges through the real ProcessSandbox and a Python judge built on
// kernels/python/cambrian_kernels/warm.py (evaluator/warm_judge.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "evaluator/evaluator.h"
#include "evaluator/task_loader.h"
#include "sandbox/process_sandbox.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTaskToml[] = R"(name = "warm-sh"
description = "A number, judged by a warm Python judge."

[program]
root = "program"
editable = ["answer.txt"]

[trusted]
root = "harness"

[[stages]]
name = "score"
judge = 'PYTHONPATH="$CAMBRIAN_KERNELS/python" exec python3 "$CAMBRIAN_TRUSTED/judge.py"'
warm = true
timeout = "3s"

[fitness]
score = "value"
goal = "maximize"
)";

// Reports the candidate's number and its own pid; 7 crashes it, 8 hangs it.
constexpr char kJudge[] = R"(import os, time
from cambrian_kernels import warm

def judge(request):
    value = int(open(os.path.join(request["job_dir"], "answer.txt")).read())
    if value == 7:
        raise RuntimeError("seven")
    if value == 8:
        time.sleep(60)
    return {"metrics": {"value": value, "pid": os.getpid(), "seed": request["seed"]}}

warm.serve(judge)
)";

class WarmJudgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) /
            ("warm_judge_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    ASSERT_TRUE(WriteFile(root_ / "task" / "task.toml", kTaskToml).ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "program" / "answer.txt", "1\n").ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "harness" / "judge.py", kJudge).ok());
    fs::create_directories(root_ / "jobs");
    absl::StatusOr<Task> task = LoadTask(root_ / "task");
    ASSERT_TRUE(task.ok()) << task.status();
    task_ = *std::move(task);
    ASSERT_TRUE(task_.stages[0].warm);
    auto fitness = MakeExpressionFitness(task_.fitness_score);
    ASSERT_TRUE(fitness.ok());
    fitness_ = *std::move(fitness);
    evaluator_ = std::make_unique<Evaluator>(
        task_, sandbox_, *fitness_,
        EvaluatorOptions{.jobs_root = root_ / "jobs",
                         .kernels_dir = fs::path(CAMBRIAN_SOURCE_DIR) / "kernels"});
  }
  void TearDown() override {
    evaluator_.reset();
    fs::remove_all(root_);
  }

  Evaluation Evaluate(const std::string& answer, const std::string& job = "c1") {
    absl::StatusOr<Evaluation> evaluation =
        evaluator_->Evaluate({{"answer.txt", answer}}, job, 40, nullptr);
    EXPECT_TRUE(evaluation.ok()) << evaluation.status();
    return evaluation.ok() ? *std::move(evaluation) : Evaluation{};
  }

  fs::path root_;
  Task task_;
  sandbox::ProcessSandbox sandbox_;
  std::unique_ptr<FitnessFunction> fitness_;
  std::unique_ptr<Evaluator> evaluator_;
};

TEST_F(WarmJudgeTest, OneProcessJudgesOneCandidateAfterAnother) {
  Evaluation first = Evaluate("5\n", "c1");
  ASSERT_EQ(first.outcome, Outcome::kOk) << first.note;
  EXPECT_EQ(first.fitness, 5);
  EXPECT_EQ(first.metrics.at("seed"), 40);
  Evaluation second = Evaluate("6\n", "c2");
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.note;
  EXPECT_EQ(second.fitness, 6);
  EXPECT_EQ(first.metrics.at("pid"), second.metrics.at("pid"));  // the same warm process
  EXPECT_FALSE(fs::exists(root_ / "jobs" / "c2"));               // job directories still go
}

TEST_F(WarmJudgeTest, AJudgeThatDiesIsReplacedAndAsksOnceMore) {
  Evaluation good = Evaluate("5\n", "c1");
  Evaluation crash = Evaluate("7\n", "c2");
  EXPECT_EQ(crash.outcome, Outcome::kRuntimeError);
  EXPECT_THAT(crash.note, HasSubstr("warm judge died twice"));
  EXPECT_THAT(crash.stages.at(0).job.output_tail, HasSubstr("RuntimeError: seven"));
  Evaluation after = Evaluate("9\n", "c3");
  ASSERT_EQ(after.outcome, Outcome::kOk) << after.note;
  EXPECT_NE(after.metrics.at("pid"), good.metrics.at("pid"));  // a fresh process
}

TEST_F(WarmJudgeTest, AnAnswerPastTheTimeoutStopsTheProcess) {
  Evaluation hung = Evaluate("8\n", "c1");
  EXPECT_EQ(hung.outcome, Outcome::kTimeout);
  EXPECT_THAT(hung.note, HasSubstr("no answer after 3s"));
  Evaluation after = Evaluate("4\n", "c2");
  EXPECT_EQ(after.outcome, Outcome::kOk) << after.note;
}

// A stage with a worker: a fresh worker per evaluation (the candidate's
// answer and its own pid declared), the warm judge's exchange with it
// through cambrian_kernels (hello, a shared buffer, a call it checks).
constexpr char kWorker[] = R"(import os
from cambrian_kernels.worker import Worker
worker = Worker.from_env()
worker.start({"params": int(open("answer.txt").read()), "pid": os.getpid()})
def handle(call):
    return {"sum": sum(worker.input[:call.args[0]])}
worker.serve(handle, idle_timeout=30)
worker.exit(0)
)";

constexpr char kPairJudge[] = R"(import os
from cambrian_kernels import declarations, warm

def judge(request):
    exchange = request["judge"]
    declared = exchange.hello(timeout=10)
    inputs, outputs = exchange.share(64, 64)
    data = os.getrandom(16)
    inputs[:16] = data
    total = declarations.number(exchange.call(2, [16], timeout=10).declarations, "sum")
    exchange.bye()
    return {"metrics": {"value": declarations.number(declared, "params"),
                        "worker_pid": declarations.number(declared, "pid"),
                        "judge_pid": os.getpid(), "sum_ok": int(total == sum(data))}}

warm.serve(judge)
)";

TEST(WarmWorkerStageTest, AFreshWorkerEachTimeAndOneWarmJudge) {
  const fs::path root = fs::path(::testing::TempDir()) / "warm_worker_stage";
  fs::remove_all(root);
  std::string toml = kTaskToml;
  toml.replace(toml.find("warm = true"), 11,
               "run = 'PYTHONPATH=\"$CAMBRIAN_KERNELS/python\" exec python3 "
               "\"$CAMBRIAN_TRUSTED/worker.py\"'\nwarm = true");
  ASSERT_TRUE(WriteFile(root / "task" / "task.toml", toml).ok());
  ASSERT_TRUE(WriteFile(root / "task" / "program" / "answer.txt", "1\n").ok());
  ASSERT_TRUE(WriteFile(root / "task" / "harness" / "judge.py", kPairJudge).ok());
  ASSERT_TRUE(WriteFile(root / "task" / "harness" / "worker.py", kWorker).ok());
  fs::create_directories(root / "jobs");
  absl::StatusOr<Task> task = LoadTask(root / "task");
  ASSERT_TRUE(task.ok()) << task.status();
  auto fitness = MakeExpressionFitness(task->fitness_score);
  ASSERT_TRUE(fitness.ok());
  sandbox::ProcessSandbox sandbox;
  Evaluator evaluator(
      *task, sandbox, **fitness,
      {.jobs_root = root / "jobs", .kernels_dir = fs::path(CAMBRIAN_SOURCE_DIR) / "kernels"});
  std::vector<Evaluation> runs;
  for (const char* answer : {"5\n", "6\n"}) {
    absl::StatusOr<Evaluation> evaluation = evaluator.Evaluate(
        {{"answer.txt", answer}}, absl::StrCat("c", runs.size() + 1), 3, nullptr);
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    ASSERT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
    EXPECT_EQ(evaluation->metrics.at("sum_ok"), 1);
    runs.push_back(*std::move(evaluation));
  }
  EXPECT_EQ(runs[0].fitness, 5);
  EXPECT_EQ(runs[1].fitness, 6);
  EXPECT_EQ(runs[0].metrics.at("judge_pid"), runs[1].metrics.at("judge_pid"));
  EXPECT_NE(runs[0].metrics.at("worker_pid"), runs[1].metrics.at("worker_pid"));
  fs::remove_all(root);
}

TEST(WarmStageTest, OnlyAJudgedStageCanBeWarm) {
  const fs::path dir = fs::path(::testing::TempDir()) / "warm_stage_load";
  fs::remove_all(dir);
  std::string toml = kTaskToml;
  toml.replace(toml.find("judge = "), 8, "run = ");
  ASSERT_TRUE(WriteFile(dir / "task.toml", toml).ok());
  ASSERT_TRUE(WriteFile(dir / "program" / "answer.txt", "1\n").ok());
  fs::create_directories(dir / "harness");
  absl::StatusOr<Task> task = LoadTask(dir);
  ASSERT_FALSE(task.ok());
  EXPECT_THAT(std::string(task.status().message()), HasSubstr("only a judged stage"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cambrian::evaluator
