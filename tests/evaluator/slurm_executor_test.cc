// The Slurm executor over a scripted SlurmClient: submission, batched
// polling, the mapping of Slurm's end states, cancel, resubmission and
// re-attaching on resume. tests/slurm/executor_test.sh runs it against a
// real slurmctld and slurmd.
#include "evaluator/slurm_executor.h"

#include <atomic>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "evaluator/evaluation_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

// Each submitted job walks through the states scripted for its submission
// (one per Query, the last repeating); a job reaching COMPLETED or FAILED
// "writes" its result.json from `result`.
class ScriptedSlurm : public SlurmClient {
 public:
  absl::StatusOr<std::string> Submit(const fs::path& script,
                                     const std::vector<std::string>& args) override {
    std::lock_guard lock(mutex_);
    const std::string id = std::to_string(1000 + submitted_.size());
    submitted_.push_back(args);
    Job& job = jobs_[id];
    job.dir = script.parent_path();
    for (const std::string& arg : args) {
      if (absl::StartsWith(arg, "--job-name=")) job.name = arg.substr(11);
    }
    job.states =
        scripts_.empty() ? std::deque<std::string>{"RUNNING", "COMPLETED"} : scripts_.front();
    if (!scripts_.empty()) scripts_.pop_front();
    return id;
  }
  absl::StatusOr<std::map<std::string, SlurmJobState>> Query(
      const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    ++queries_;
    max_batch_ = std::max(max_batch_, ids.size());
    std::map<std::string, SlurmJobState> states;
    for (const std::string& id : ids) {
      Job& job = jobs_[id];
      if (!job.states.empty() && job.states.front() == "DONE_AND_GONE" && !job.wrote) {
        job.wrote = true;  // it wrote its result, then Slurm forgot it
        EXPECT_TRUE(WriteFile(job.dir / "result.json", result).ok());
      }
      if (job.states.empty() || job.states.front() == "GONE" ||
          job.states.front() == "DONE_AND_GONE") {
        continue;
      }
      const std::string state = job.states.front();
      if (job.states.size() > 1) job.states.pop_front();
      if ((state == "COMPLETED" || state == "FAILED") && !job.wrote) {
        job.wrote = true;
        if (!result.empty()) {
          EXPECT_TRUE(WriteFile(job.dir / "result.json", result).ok());
        }
        if (!output.empty()) {
          EXPECT_TRUE(WriteFile(job.dir / "slurm.out", output).ok());
        }
      }
      states[id] = {id, job.name, state, state == "PENDING" ? "Resources" : "None", "n1"};
    }
    return states;
  }
  absl::StatusOr<std::vector<SlurmJobState>> Named(const std::string& prefix) override {
    std::lock_guard lock(mutex_);
    std::vector<SlurmJobState> named;
    for (const SlurmJobState& job : listed) {
      if (absl::StartsWith(job.name, prefix)) named.push_back(job);
    }
    return named;
  }
  absl::Status Cancel(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mutex_);
    for (const std::string& id : ids) {
      cancelled_.push_back(id);
      jobs_[id].states = {"CANCELLED"};
    }
    return absl::OkStatus();
  }

  void Script(std::deque<std::string> states) { scripts_.push_back(std::move(states)); }
  // A job submitted before this client existed (by a killed controller).
  void Existing(const std::string& id, const std::string& name, const fs::path& dir,
                std::deque<std::string> states) {
    std::lock_guard lock(mutex_);
    jobs_[id] = {dir, name, std::move(states), false};
  }
  std::vector<std::vector<std::string>> submitted() {
    std::lock_guard lock(mutex_);
    return submitted_;
  }
  std::vector<std::string> cancelled() {
    std::lock_guard lock(mutex_);
    return cancelled_;
  }
  size_t max_batch() {
    std::lock_guard lock(mutex_);
    return max_batch_;
  }

  std::string result;                 // what an ended job writes to result.json
  std::string output;                 // and to slurm.out
  std::vector<SlurmJobState> listed;  // what Named lists

 private:
  struct Job {
    fs::path dir;
    std::string name;
    std::deque<std::string> states;
    bool wrote = false;
  };
  std::mutex mutex_;
  std::deque<std::deque<std::string>> scripts_;
  std::map<std::string, Job> jobs_;
  std::vector<std::vector<std::string>> submitted_;
  std::vector<std::string> cancelled_;
  int queries_ = 0;
  size_t max_batch_ = 0;
};

class SlurmExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::path(::testing::TempDir()) / absl::StrCat("slurm_exec_", getpid(), "_", counter_++);
    fs::remove_all(root_);
    Evaluation done;
    done.outcome = Outcome::kOk;
    done.fitness = 4.5;
    done.metrics = {{"score", 4.5}};
    StageResult stage;
    stage.name = "run";
    stage.job.exit_code = 0;
    stage.job.wall_seconds = 1.25;
    done.stages.push_back(stage);
    slurm_.result = EvaluationToJson(done);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<SlurmExecutor> Make(SlurmOptions options = {}) {
    options.poll_min = absl::Milliseconds(5);
    options.poll_max = absl::Milliseconds(20);
    options.result_wait = absl::Milliseconds(100);
    SlurmJobPlan plan;
    plan.cambrian = "/opt/cambrian bin/cambrian";
    plan.task_dir = "/tasks/quadratic";
    plan.jobs_root = root_;
    plan.resources.cpus = 2;
    plan.resources.memory_bytes = int64_t{1} << 30;
    plan.work_time = absl::Minutes(3);
    return std::make_unique<SlurmExecutor>(slurm_, options, plan);
  }

  static inline int counter_ = 0;
  fs::path root_;
  ScriptedSlurm slurm_;
  const Program program_ = {{"params.sh", "X=1\n"}};
};

TEST_F(SlurmExecutorTest, AJobRunsCambrianEvalAndItsResultIsTheEvaluation) {
  auto executor = Make();
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c7", 42, nullptr);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk);
  EXPECT_EQ(evaluation->fitness, 4.5);
  ASSERT_EQ(evaluation->stages.size(), 1u);
  EXPECT_DOUBLE_EQ(evaluation->stages[0].job.wall_seconds, 1.25);
  ASSERT_EQ(slurm_.submitted().size(), 1u);
  const std::vector<std::string> args = slurm_.submitted()[0];
  EXPECT_THAT(args, Contains(absl::StrCat("--job-name=", executor->SlurmName("c7"))));
  EXPECT_THAT(args, Contains("--cpus-per-task=2"));
  EXPECT_THAT(args, Contains("--mem=1536M"));  // the task's 1 GiB and 512 MiB for eval itself
  EXPECT_THAT(args, Contains("--time=8"));     // 3 min of stages + 5
  EXPECT_THAT(args, Contains("--export=PATH,LD_LIBRARY_PATH,LANG,LC_ALL,HOME"));  // no API key
  EXPECT_FALSE(fs::exists(root_ / "c7"));  // removed once read
}

TEST_F(SlurmExecutorTest, TheScriptRunsEvalOnTheExactProgram) {
  SlurmOptions options;
  options.partition = "gpu";
  options.gres = "gpu:a100:1";
  options.extra_args = {"--exclusive"};
  options.time_limit = absl::Minutes(90);
  auto executor = Make(options);
  slurm_.Script({"PENDING"});  // never runs: the script stays to be read
  std::atomic<bool> cancel{false};
  std::string script, params;
  std::thread stopper([&] {  // reads the job's files while it is pending, then stops it
    while (!fs::exists(root_ / "c3" / "job_id")) std::this_thread::yield();
    script = ReadFile(root_ / "c3" / "job.sh").value_or("");
    params = ReadFile(root_ / "c3" / "program" / "params.sh").value_or("");
    cancel = true;
  });
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c3", 9, &cancel);
  stopper.join();
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kKilled);
  EXPECT_THAT(evaluation->note, HasSubstr("cancelled as the run stopped"));
  EXPECT_THAT(script, HasSubstr("exec '/opt/cambrian bin/cambrian' eval /tasks/quadratic "
                                "--exact-program "));
  EXPECT_THAT(script, HasSubstr("--seed 9 --sandbox auto --result "));
  EXPECT_EQ(params, "X=1\n");
  const std::vector<std::string> args = slurm_.submitted()[0];
  for (const std::string arg :
       {"--partition=gpu", "--gres=gpu:a100:1", "--exclusive", "--time=90"}) {
    EXPECT_THAT(args, Contains(arg));
  }
  EXPECT_EQ(slurm_.cancelled(), std::vector<std::string>{"1000"});
}

TEST_F(SlurmExecutorTest, SlurmEndStatesMapToOutcomes) {
  auto executor = Make();
  slurm_.Script({"RUNNING", "TIMEOUT"});
  slurm_.Script({"OUT_OF_MEMORY"});
  slurm_.Script({"CANCELLED"});
  const std::vector<std::pair<Outcome, std::string>> expected = {
      {Outcome::kTimeout, "time limit"},
      {Outcome::kMemoryLimit, "memory"},
      {Outcome::kKilled, "cancelled outside Cambrian"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    absl::StatusOr<Evaluation> evaluation =
        executor->Evaluate(program_, absl::StrCat("c", i), 1, nullptr);
    ASSERT_TRUE(evaluation.ok()) << evaluation.status();
    EXPECT_EQ(evaluation->outcome, expected[i].first);
    EXPECT_THAT(evaluation->note, HasSubstr(expected[i].second));
    EXPECT_FALSE(evaluation->fitness.has_value());
  }
}

TEST_F(SlurmExecutorTest, NodeFailureAndPreemptionAreSubmittedAgain) {
  auto executor = Make();
  slurm_.Script({"RUNNING", "NODE_FAIL"});
  slurm_.Script({"PREEMPTED"});
  slurm_.Script({"RUNNING", "GONE"});  // forgotten without a result
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c1", 1, nullptr);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->outcome, Outcome::kOk);  // the fourth submission completed
  EXPECT_EQ(slurm_.submitted().size(), 4u);

  SlurmOptions once;
  once.max_resubmits = 1;
  auto strict = Make(once);
  slurm_.Script({"NODE_FAIL"});
  slurm_.Script({"NODE_FAIL"});
  absl::StatusOr<Evaluation> failed = strict->Evaluate(program_, "c2", 1, nullptr);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("NODE_FAIL"));
}

TEST_F(SlurmExecutorTest, AJobSlurmForgotAfterItsResultIsNotSubmittedAgain) {
  auto executor = Make();
  slurm_.Script({"RUNNING", "DONE_AND_GONE"});
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c8", 1, nullptr);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->fitness, 4.5);
  EXPECT_EQ(slurm_.submitted().size(), 1u);
}

TEST_F(SlurmExecutorTest, AJobThatEndsWithoutAResultIsAnErrorShowingItsOutput) {
  auto executor = Make();
  slurm_.result = "";
  slurm_.output = "cambrian: not found\n";
  slurm_.Script({"FAILED"});
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c5", 1, nullptr);
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(
      std::string(evaluation.status().message()),
      testing::AllOf(HasSubstr("ended FAILED without a result"), HasSubstr("cambrian: not found")));
}

TEST_F(SlurmExecutorTest, AJobPendingPastTheLimitIsCancelledAndStopsTheRun) {
  SlurmOptions options;
  options.pending_limit = absl::Milliseconds(50);
  auto executor = Make(options);
  slurm_.Script({"PENDING"});
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c1", 1, nullptr);
  EXPECT_EQ(evaluation.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(evaluation.status().message()), HasSubstr("Resources"));
  EXPECT_EQ(slurm_.cancelled().size(), 1u);
}

TEST_F(SlurmExecutorTest, ConcurrentJobsArePolledInOneCall) {
  auto executor = Make();
  for (int i = 0; i < 6; ++i)
    slurm_.Script({"PENDING", "PENDING", "RUNNING", "RUNNING", "COMPLETED"});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&, i] {
      if (executor->Evaluate(program_, absl::StrCat("c", i), 1, nullptr).ok()) ++ok;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_GE(slurm_.max_batch(), 2u);  // one squeue asked about several jobs
}

TEST_F(SlurmExecutorTest, ResumeReattachesToWantedJobsAndCancelsTheRest) {
  auto first = Make();
  const std::string prefix = first->SlurmName("");
  // What a killed controller left: c1 still running, c2 no longer wanted.
  for (const std::string job : {"c1", "c2"}) {
    ASSERT_TRUE(
        WriteFile(root_ / job / "request", absl::StrCat(5, " ", ProgramHash(program_), "\n")).ok());
  }
  slurm_.listed = {{"77", prefix + "c1", "RUNNING", "None", "n2"},
                   {"78", prefix + "c2", "PENDING", "Priority", ""},
                   {"79", "someone-elses-job", "RUNNING", "None", "n1"}};
  first.reset();
  auto executor = Make();
  executor->Resuming({"c1"});
  EXPECT_EQ(slurm_.cancelled(), std::vector<std::string>{"78"});
  // c1 is followed to its end, not submitted again.
  slurm_.Existing("77", prefix + "c1", root_ / "c1", {"RUNNING", "COMPLETED"});
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c1", 5, nullptr);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(evaluation->fitness, 4.5);
  EXPECT_TRUE(slurm_.submitted().empty());
}

TEST_F(SlurmExecutorTest, AnAdoptedJobForAnotherRequestIsReplaced) {
  auto executor = Make();
  ASSERT_TRUE(WriteFile(root_ / "c1" / "request", "5 other-program\n").ok());
  slurm_.listed = {{"77", executor->SlurmName("c1"), "RUNNING", "None", "n2"}};
  executor->Resuming({"c1"});
  EXPECT_TRUE(slurm_.cancelled().empty());
  absl::StatusOr<Evaluation> evaluation = executor->Evaluate(program_, "c1", 5, nullptr);
  ASSERT_TRUE(evaluation.ok()) << evaluation.status();
  EXPECT_EQ(slurm_.submitted().size(), 1u);
  EXPECT_EQ(slurm_.cancelled(), std::vector<std::string>{"77"});
}

}  // namespace
}  // namespace cambrian::evaluator
