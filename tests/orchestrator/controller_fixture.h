// Shared set-up for the Controller tests: a task (by default the tiny
// quadratic task under tests/data/tasks), an InMemoryArchive, and a helper
// that runs one search over any Sandbox with the knob and crossover mutators.
#ifndef CAMBRIAN_TESTS_ORCHESTRATOR_CONTROLLER_FIXTURE_H_
#define CAMBRIAN_TESTS_ORCHESTRATOR_CONTROLLER_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "evaluator/evaluator.h"
#include "evaluator/fitness.h"
#include "evaluator/task_loader.h"
#include "mutators/crossover_mutator.h"
#include "mutators/knob_mutator.h"
#include "orchestrator/controller.h"
#include "tests/testing/in_memory_archive.h"

namespace cambrian::orchestrator {

// Counts what the controller reports; called from the controller thread only.
class RecordingProgress : public ProgressSink {
 public:
  void OnCandidate(const std::string& line) override { lines.push_back(line); }
  void OnTick(const ProgressState& state) override {
    ++ticks;
    last = state;
    if (on_tick) on_tick(*this);
  }
  void Finish() override { ++finished; }

  std::vector<std::string> lines;
  int ticks = 0;
  int finished = 0;
  ProgressState last;
  std::function<void(const RecordingProgress&)> on_tick;  // kept across runs
};

inline std::filesystem::path QuadraticTaskDir() {
  return std::filesystem::path(CAMBRIAN_SOURCE_DIR) / "tests" / "data" / "tasks" / "quadratic";
}

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("orch_controller_" + std::to_string(getpid()) + "_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    LoadTaskFrom(QuadraticTaskDir());
    config_.max_evaluations = 10;
    config_.workers = 2;
    config_.seed = 1;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void LoadTaskFrom(const std::filesystem::path& dir) {
    absl::StatusOr<Task> task = evaluator::LoadTask(dir);
    ASSERT_TRUE(task.ok()) << task.status();
    task_ = *std::move(task);
    auto fitness = evaluator::MakeExpressionFitness(task_.fitness_score);
    ASSERT_TRUE(fitness.ok()) << fitness.status();
    fitness_ = *std::move(fitness);
  }

  // A copy of the quadratic task under the test's directory, to modify.
  std::filesystem::path CopyQuadraticTask() {
    std::filesystem::path dir = root_ / "task";
    std::filesystem::copy(QuadraticTaskDir(), dir, std::filesystem::copy_options::recursive);
    return dir;
  }

  // Runs one search over `sandbox` into a fresh archive (kept in archive_),
  // or, with `resume`, continues the search recorded in archive_.
  absl::StatusOr<RunSummary> RunSearch(sandbox::Sandbox& sandbox, bool resume = false) {
    if (!resume || archive_ == nullptr) {
      archive_ = std::make_unique<testing::InMemoryArchive>();
      archive::RunInfo info;
      info.task_name = task_.name;
      info.task_dir = task_.dir.string();
      info.config_json = "{}";
      info.goal = task_.goal == Goal::kMaximize ? "maximize" : "minimize";
      EXPECT_TRUE(archive_->SetRunInfo(info).ok());
    }
    std::filesystem::path jobs = root_ / absl::StrCat("jobs", ++runs_);
    std::filesystem::create_directories(jobs);
    evaluator::Evaluator evaluator(task_, sandbox, *fitness_, {.jobs_root = jobs});
    mutators::KnobMutator knob;
    mutators::CrossoverMutator crossover;
    auto on_tick = std::move(progress_.on_tick);
    progress_ = RecordingProgress();
    progress_.on_tick = std::move(on_tick);
    ControllerDeps deps;
    deps.task = &task_;
    deps.config = &config_;
    deps.archive = archive_.get();
    deps.evaluator = &evaluator;
    deps.mutators = {&knob, &crossover};
    deps.clock = &clock_;
    deps.stop_requested = &stop_;
    deps.progress = &progress_;
    Controller controller(std::move(deps));
    return controller.Run();
  }

  std::vector<archive::Candidate> Candidates() {
    absl::StatusOr<std::vector<archive::Candidate>> all =
        archive_->ListCandidates(archive::ListOptions{});
    EXPECT_TRUE(all.ok()) << all.status();
    return all.value_or(std::vector<archive::Candidate>{});
  }

  std::vector<std::string> HashesInIdOrder() {
    std::vector<std::string> hashes;
    for (const archive::Candidate& c : Candidates()) hashes.push_back(c.program_hash);
    return hashes;
  }

  int CountStatus(archive::CandidateStatus status) {
    int n = 0;
    for (const archive::Candidate& c : Candidates()) n += c.status == status;
    return n;
  }

  std::filesystem::path root_;
  Task task_;
  std::unique_ptr<evaluator::FitnessFunction> fitness_;
  RunConfig config_;
  std::unique_ptr<testing::InMemoryArchive> archive_;
  SystemClock clock_;
  std::atomic<bool> stop_{false};
  RecordingProgress progress_;
  int runs_ = 0;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_TESTS_ORCHESTRATOR_CONTROLLER_FIXTURE_H_
