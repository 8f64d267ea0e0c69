// Judged stages end to end through a real sandbox (both modes): a task whose
// trusted judge (Python) asks the candidate's worker for a number over the
// socket pair and alone reports; a setup that leaves a file only judges read;
// a hidden path; plausibility. The protocol here is a toy one: the evaluator
// does not read the messages (kernels/PROTOCOL.md is the real one).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/file_util.h"
#include "evaluator/evaluator.h"
#include "evaluator/task_loader.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kTaskToml[] = R"(name = "judged-double"
description = "Double the judge's number."

[program]
root = "program"
editable = ["worker.py"]

[trusted]
root = "harness"
setup = "echo 21 > question; echo built"

[[stages]]
name = "check"
run = "/usr/bin/python3 -B worker.py"
judge = "/usr/bin/python3 -B $CAMBRIAN_TRUSTED/judge.py"
timeout = "40s"
pass_if = "correct == 1"

[resources]
memory = "512MiB"

[fitness]
score = "value"
goal = "maximize"
)";

// The trusted judge: the question comes from the setup's output, the answer
// over the socket; it reports what it saw, including the worker CPU meter.
constexpr char kJudge[] = R"(import json, os, socket, sys
s = socket.socket(fileno=int(os.environ["CAMBRIAN_WORKER_FD"]))
s.settimeout(30)
print("judge: asking", flush=True)
question = open(os.path.join(os.environ["CAMBRIAN_SETUP_DIR"], "question")).read().strip()
cpu = -1.0
try:  # fails (ENODEV) once a worker that already exited has lost its cgroup
    text = os.pread(int(os.environ["CAMBRIAN_WORKER_CPU_FD"]), 4096, 0).decode()
    cpu = (float(text) / 1e9 if os.environ["CAMBRIAN_WORKER_CPU_FORMAT"] == "cpuacct.usage"
           else float(text.split("usage_usec")[1].split()[0]) / 1e6)
except (KeyError, OSError):
    pass
s.send(question.encode())
try:
    answer = int(s.recv(64) or b"-1")
except Exception:
    answer = -1
if answer == 999:
    sys.exit("judge: refusing to report")
if answer == 998:
    sys.exit(0)
hidden = os.path.exists(os.environ.get("HIDDEN_PROBE", "/nonexistent"))
metrics = {"correct": int(answer == 2 * int(question)), "value": answer, "cpu_seen": cpu,
           "judge_sees_hidden": int(hidden), "worker_has_out": -1}
with open(os.path.join(os.environ["CAMBRIAN_OUT"], "metrics.json"), "w") as f:
    json.dump({"metrics": metrics, "feedback": "judge saw %d" % answer}, f)
)";

// The honest worker. Others below replace it.
constexpr char kWorker[] = R"(import os, socket
s = socket.socket(fileno=int(os.environ["CAMBRIAN_JUDGE_FD"]))
q = int(s.recv(64))
s.send(str(2 * q).encode())
s.recv(1)
)";

class JudgedStageTest : public ::testing::TestWithParam<sandbox::SandboxMode> {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "needs /usr/bin/python3";
    auto choice = sandbox::MakeSandbox({.mode = GetParam()});
    if (!choice.ok()) GTEST_SKIP() << choice.status();
    choice_ = *std::move(choice);
    root_ = fs::path(::testing::TempDir()) /
            ("judged_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())
                 .substr(0, 40) +
             "_" + std::to_string(getpid()));
    fs::remove_all(root_);
    toml_ = kTaskToml;
    ASSERT_TRUE(WriteFile(root_ / "task" / "harness" / "judge.py", kJudge).ok());
    ASSERT_TRUE(WriteFile(root_ / "task" / "program" / "worker.py", kWorker).ok());
    fs::create_directories(root_ / "jobs");
    // bubblewrap's uid walks down to the job directories.
    for (fs::path p = root_; p != p.root_path(); p = p.parent_path()) {
      fs::permissions(p, fs::perms::others_exec, fs::perm_options::add);
    }
  }
  void TearDown() override { fs::remove_all(root_); }

  absl::StatusOr<Evaluation> Evaluate(const std::string& worker) {
    if (auto written = WriteFile(root_ / "task" / "task.toml", toml_); !written.ok())
      return written;
    absl::StatusOr<Task> task = LoadTask(root_ / "task");
    if (!task.ok()) return task.status();
    task_ = *std::move(task);
    auto fitness = MakeExpressionFitness(task_.fitness_score);
    if (!fitness.ok()) return fitness.status();
    fitness_ = *std::move(fitness);
    Evaluator evaluator(task_, *choice_.sandbox, *fitness_,
                        {.jobs_root = root_ / "jobs", .setup_dir = root_ / "setup"});
    if (absl::Status prepared = evaluator.Prepare(); !prepared.ok()) return prepared;
    return evaluator.Evaluate({{"worker.py", worker}}, "c1", 7, nullptr);
  }

  sandbox::SandboxChoice choice_;
  fs::path root_;
  std::string toml_;
  Task task_;
  std::unique_ptr<FitnessFunction> fitness_;
};

TEST_P(JudgedStageTest, OnlyTheJudgeReportsAndItSeesTheWorkersCpu) {
  absl::StatusOr<Evaluation> evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->fitness, 42);
  EXPECT_EQ(evaluation->feedback, "judge saw 42");
  ASSERT_EQ(evaluation->stages.size(), 1u);
  const StageResult& stage = evaluation->stages[0];
  ASSERT_TRUE(stage.judge.has_value());
  EXPECT_EQ(stage.judge->outcome, Outcome::kOk);
  EXPECT_THAT(stage.job.output_tail, HasSubstr(kJudgeOutputMarker));
  if (choice_.cgroups.starts_with("cgroup")) {
    EXPECT_GE(evaluation->metrics.at("cpu_seen"), 0) << "the judge got no CPU meter";
  } else {
    EXPECT_EQ(evaluation->metrics.at("cpu_seen"), -1);
  }
  EXPECT_TRUE(fs::is_empty(root_ / "jobs"));
}

// Where a worker would have to write to forge the judge's report.
constexpr char kForger[] = R"(import json, os, socket
assert "CAMBRIAN_OUT" not in os.environ, "a worker must not get CAMBRIAN_OUT"
fake = {"metrics": {"correct": 1, "value": 1e9, "worker_has_out": 1}}
job = os.environ["CAMBRIAN_JOB_DIR"]
for path in (job + ".out/check/metrics.json", job + "/../c1.out/check/metrics.json"):
    try:
        json.dump(fake, open(path, "w"))
    except OSError:
        pass
s = socket.socket(fileno=int(os.environ["CAMBRIAN_JUDGE_FD"]))
s.recv(64)
s.send(b"5")
)";

TEST_P(JudgedStageTest, AWorkerCannotWriteTheJudgesReportUnderBubblewrap) {
  absl::StatusOr<Evaluation> evaluation = Evaluate(kForger);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  if (GetParam() == sandbox::SandboxMode::kProcess) {
    GTEST_SKIP() << "process mode shares one uid and filesystem: docs/trust.md";
  }
  EXPECT_EQ(evaluation->outcome, Outcome::kWrongAnswer) << evaluation->note;
  EXPECT_EQ(evaluation->metrics.at("value"), 5);
  EXPECT_EQ(evaluation->metrics.at("worker_has_out"), -1);
}

TEST_P(JudgedStageTest, AWorkerThatCrashesIsARuntimeError) {
  absl::StatusOr<Evaluation> evaluation = Evaluate("import sys\nsys.exit(3)\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kRuntimeError) << evaluation->note;
  EXPECT_THAT(evaluation->note, HasSubstr("the worker failed"));
  EXPECT_FALSE(evaluation->fitness.has_value());
}

TEST_P(JudgedStageTest, AWorkerOverItsMemoryCapIsMemoryLimit) {
  absl::StatusOr<Evaluation> evaluation =
      Evaluate("x = bytearray(2 << 30)\nx[::4096] = b'1' * len(x[::4096])\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kMemoryLimit) << evaluation->note;
}

TEST_P(JudgedStageTest, AJudgeThatFailsIsTheJudgesFailure) {
  absl::StatusOr<Evaluation> failed = Evaluate(
      "import os, socket\ns = socket.socket(fileno=int(os.environ['CAMBRIAN_JUDGE_FD']))\n"
      "s.recv(64)\ns.send(b'999')\n");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->outcome, Outcome::kRuntimeError);
  EXPECT_THAT(failed->note, HasSubstr("the judge failed"));
  EXPECT_THAT(failed->note, HasSubstr("refusing to report"));
  absl::StatusOr<Evaluation> silent = Evaluate(
      "import os, socket\ns = socket.socket(fileno=int(os.environ['CAMBRIAN_JUDGE_FD']))\n"
      "s.recv(64)\ns.send(b'998')\n");
  ASSERT_TRUE(silent.ok()) << silent.status();
  EXPECT_EQ(silent->outcome, Outcome::kRuntimeError);
  EXPECT_THAT(silent->note, HasSubstr("without writing metrics.json"));
}

TEST_P(JudgedStageTest, ACandidateStageCannotOverrideOrDecideAJudgesScore) {
  // A build stage (candidate code) that reports the fitness metric itself.
  toml_.insert(toml_.find("[[stages]]"),
               "[[stages]]\nname = \"build\"\nrun = \"echo '{\\\"metrics\\\": {\\\"value\\\": "
               "1e9, \\\"bonus\\\": 7}}' > $CAMBRIAN_OUT/metrics.json\"\n\n");
  absl::StatusOr<Evaluation> evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->fitness, 42) << evaluation->note;
  // A fitness over a metric only the candidate's stage reported is refused.
  toml_.replace(toml_.find("score = \"value\""), 15, "score = \"value + bonus\"");
  evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kWrongAnswer);
  EXPECT_THAT(evaluation->note, HasSubstr("'bonus' was not reported by a judge"));
}

// A judge-only stage (no `run`): it judges what an earlier stage built, as a
// CUDA task's judge loads the candidate's module, and no worker runs.
TEST_P(JudgedStageTest, AJudgeAloneJudgesWhatTheBuildLeft) {
  ASSERT_TRUE(
      WriteFile(root_ / "task" / "harness" / "judge_alone.py",
                "import json, os\n"
                "built = open(os.path.join(os.environ['CAMBRIAN_JOB_DIR'], 'built')).read()\n"
                "question = int(open(os.path.join(os.environ['CAMBRIAN_SETUP_DIR'], "
                "'question')).read())\n"
                "assert 'CAMBRIAN_WORKER_FD' not in os.environ\n"
                "value = int(built)\n"
                "json.dump({'metrics': {'correct': int(value == 2 * question), "
                "'value': value}}, open(os.path.join(os.environ['CAMBRIAN_OUT'], "
                "'metrics.json'), 'w'))\n")
          .ok());
  toml_.replace(toml_.find("[[stages]]"), toml_.find("[resources]") - toml_.find("[[stages]]"),
                "[[stages]]\nname = \"build\"\nrun = \"/usr/bin/python3 -B worker.py > built\"\n\n"
                "[[stages]]\nname = \"check\"\n"
                "judge = \"/usr/bin/python3 -B $CAMBRIAN_TRUSTED/judge_alone.py\"\n"
                "timeout = \"40s\"\npass_if = \"correct == 1\"\n\n");
  absl::StatusOr<Evaluation> evaluation = Evaluate("print(42)\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->fitness, 42);
  ASSERT_EQ(evaluation->stages.size(), 2u);
  EXPECT_TRUE(evaluation->stages[1].judge.has_value());
  evaluation = Evaluate("print(41)\n");
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kWrongAnswer) << evaluation->note;
  // A stage with neither a command nor a judge is the task's error.
  toml_.replace(toml_.find("judge = "), toml_.find("timeout = \"40s\"") - toml_.find("judge = "),
                "");
  absl::StatusOr<Evaluation> broken = Evaluate("print(42)\n");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr("a stage needs `run`, `judge`, or both"));
}

TEST_P(JudgedStageTest, ImplausibleScoresAreFlaggedAndNotScored) {
  toml_ += "plausible = [0, 40]\n";
  absl::StatusOr<Evaluation> evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kImplausible);
  EXPECT_FALSE(evaluation->fitness.has_value());
  EXPECT_EQ(evaluation->metrics.at("value"), 42);  // kept, for people to see
  EXPECT_THAT(evaluation->note, HasSubstr("outside the task's plausible range [0, 40]"));
  toml_ = kTaskToml;
  toml_ += "plausible_if = \"value <= 10 * correct\"\n";
  evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kImplausible);
  EXPECT_THAT(evaluation->note, HasSubstr("plausible_if 'value <= 10 * correct' failed"));
}

TEST_P(JudgedStageTest, HiddenPathsAndTheSetupAreTheJudgesOnly) {
  if (!fs::is_directory("/usr/share/common-licenses")) GTEST_SKIP();
  toml_.insert(toml_.find("setup ="), "hidden = [\"/usr/share/common-l*\"]\n");
  toml_.insert(toml_.find("[program]"),
               "[profiles.p]\nenv = { HIDDEN_PROBE = "
               "\"/usr/share/common-licenses/GPL-3\" }\n\n");
  toml_.insert(0, "default_profile = \"p\"\n");
  // Answers right only if it can see neither the hidden file nor the setup.
  const std::string peeker = R"(import os, socket
s = socket.socket(fileno=int(os.environ["CAMBRIAN_JUDGE_FD"]))
q = int(s.recv(64))
leak = os.path.exists("/usr/share/common-licenses/GPL-3") or "CAMBRIAN_SETUP_DIR" in os.environ
s.send(str(7 if leak else 2 * q).encode())
)";
  absl::StatusOr<Evaluation> evaluation = Evaluate(peeker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  ASSERT_EQ(task_.hidden_paths.size(), 1u);
  EXPECT_EQ(task_.hidden_paths[0], "/usr/share/common-licenses");
  EXPECT_EQ(evaluation->metrics.at("judge_sees_hidden"), 1);
  if (GetParam() == sandbox::SandboxMode::kBwrap) {
    EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  } else {
    // Process mode cannot hide anything (docs/trust.md).
    EXPECT_EQ(evaluation->metrics.at("value"), 7);
  }
}

TEST_P(JudgedStageTest, ASetupIsReusedUntilItsInputsChange) {
  toml_.replace(toml_.find("setup = "),
                std::string("setup = \"echo 21 > question; echo built\"").size(),
                "setup = \"echo 21 > question; cat /proc/sys/kernel/random/uuid > stamp\"");
  ASSERT_TRUE(Evaluate(kWorker).ok());
  const std::string first = *ReadFile(root_ / "setup" / "stamp");
  ASSERT_TRUE(Evaluate(kWorker).ok());
  EXPECT_EQ(*ReadFile(root_ / "setup" / "stamp"), first) << "an unchanged setup ran again";
  ASSERT_TRUE(WriteFile(root_ / "task" / "harness" / "notes.txt", "changed\n").ok());
  ASSERT_TRUE(Evaluate(kWorker).ok());
  EXPECT_NE(*ReadFile(root_ / "setup" / "stamp"), first) << "a changed task reused its old setup";
  // Output changed behind Cambrian's back is rebuilt, not trusted.
  const std::string second = *ReadFile(root_ / "setup" / "stamp");
  ASSERT_TRUE(WriteFile(root_ / "setup" / "question", "5\n").ok());
  absl::StatusOr<Evaluation> evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok());
  EXPECT_EQ(evaluation->fitness, 42);
  EXPECT_NE(*ReadFile(root_ / "setup" / "stamp"), second);
}

TEST_P(JudgedStageTest, AJudgedTaskNeedsNoSetup) {
  toml_.replace(toml_.find("setup = "),
                std::string("setup = \"echo 21 > question; echo built\"").size(), "");
  toml_.replace(toml_.find("judge = \""), std::string("judge = \"").size(),
                "judge = \"CAMBRIAN_SETUP_DIR=$CAMBRIAN_TRUSTED ");
  ASSERT_TRUE(WriteFile(root_ / "task" / "harness" / "question", "21\n").ok());
  absl::StatusOr<Evaluation> evaluation = Evaluate(kWorker);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk) << evaluation->note;
  EXPECT_EQ(evaluation->fitness, 42);
}

TEST_P(JudgedStageTest, ABrokenSetupStopsBeforeAnyCandidate) {
  toml_.replace(toml_.find("setup = "),
                std::string("setup = \"echo 21 > question; echo built\"").size(),
                "setup = \"echo cannot build the judge >&2; exit 4\"");
  absl::StatusOr<Evaluation> evaluation = Evaluate(kWorker);
  ASSERT_FALSE(evaluation.ok());
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(evaluation.status().message()), HasSubstr("cannot build the judge"));
}

INSTANTIATE_TEST_SUITE_P(BothModes, JudgedStageTest,
                         ::testing::Values(sandbox::SandboxMode::kBwrap,
                                           sandbox::SandboxMode::kProcess),
                         [](const ::testing::TestParamInfo<sandbox::SandboxMode>& info) {
                           return std::string(sandbox::SandboxModeName(info.param));
                         });

}  // namespace
}  // namespace cambrian::evaluator
