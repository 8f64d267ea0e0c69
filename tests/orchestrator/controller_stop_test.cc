// The Controller's stopping rules, over SlowSandbox (jobs that take time and
// honour cancellation): a stop request mid-run, a stop request while the last
// jobs drain after the budget, and the wall-time budget.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/orchestrator/controller_fixture.h"
#include "tests/testing/slow_sandbox.h"

namespace cambrian::orchestrator {
namespace {

using ::testing::HasSubstr;

// Sets stop_ from another thread once `holding` jobs hang in the sandbox.
class StopWhenHolding {
 public:
  StopWhenHolding(SlowSandbox& sandbox, std::atomic<bool>& stop, int holding)
      : thread_([&sandbox, &stop, holding, this] {
          reached_ = sandbox.WaitForHolding(holding, absl::Seconds(20));
          stopped_at_ = absl::Now();
          stop.store(true);
        }) {}
  ~StopWhenHolding() { Join(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  bool reached() const { return reached_; }
  absl::Time stopped_at() const { return stopped_at_; }

 private:
  bool reached_ = false;
  absl::Time stopped_at_;
  std::thread thread_;
};

TEST_F(ControllerTest, StopRequestInterruptsRunningCandidates) {
  // Each candidate is two sandbox jobs (build, score): the first six jobs
  // finish at once (at least two whole candidates, however the two workers
  // interleave), later jobs hang for 30s unless cancelled.
  SlowSandbox sandbox({.hold = absl::Seconds(30), .free_jobs = 6});
  config_.max_evaluations = 100;
  config_.workers = 2;
  StopWhenHolding stopper(sandbox, stop_, 2);
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  const absl::Time returned = absl::Now();
  stopper.Join();
  ASSERT_TRUE(stopper.reached());
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_LT(returned - stopper.stopped_at(), absl::Seconds(5));  // not the 30s hold
  EXPECT_EQ(summary->stop_reason, "interrupted");

  const int done = CountStatus(archive::CandidateStatus::kDone);
  const int interrupted = CountStatus(archive::CandidateStatus::kInterrupted);
  EXPECT_EQ(done + interrupted, static_cast<int>(Candidates().size()));  // none left running
  EXPECT_EQ(done, summary->evaluated);
  EXPECT_EQ(interrupted, summary->interrupted);
  EXPECT_GE(done, 2);
  EXPECT_EQ(interrupted, 2);
  for (const archive::Candidate& c : Candidates()) {
    if (c.status == archive::CandidateStatus::kDone) {
      EXPECT_EQ(c.outcome, Outcome::kOk);
    }
  }
  EXPECT_EQ(progress_.finished, 1);
}

TEST_F(ControllerTest, StopRequestAfterTheBudgetStillCancelsDrainingJobs) {
  // Budget 2 with 2 workers: both candidates are dispatched at once and the
  // budget is spent while they run. A stop request that comes after the
  // controller noticed that (its second tick) must still cut them short.
  SlowSandbox sandbox({.hold = absl::Seconds(15)});
  config_.max_evaluations = 2;
  config_.workers = 2;
  absl::Time stopped_at = absl::InfiniteFuture();
  progress_.on_tick = [&](const RecordingProgress& progress) {
    if (progress.ticks == 2) {
      EXPECT_EQ(progress.last.in_flight, 2);
      stopped_at = absl::Now();
      stop_.store(true);
    }
  };
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  const absl::Time returned = absl::Now();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("evaluation budget of 2 reached"));
  EXPECT_LT(returned - stopped_at, absl::Seconds(5));  // not the 15s hold (twice)
  EXPECT_EQ(CountStatus(archive::CandidateStatus::kInterrupted), 2);
  EXPECT_EQ(summary->interrupted, 2);
  EXPECT_EQ(summary->evaluated, 0);
}

TEST_F(ControllerTest, StopRequestBeforeRunInterruptsTheSeed) {
  stop_.store(true);
  SlowSandbox sandbox({.hold = absl::Seconds(30)});
  const absl::Time start = absl::Now();
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(summary->stop_reason, "interrupted");
  // The seed was submitted before the first check and is then cancelled.
  EXPECT_EQ(CountStatus(archive::CandidateStatus::kRunning), 0);
  EXPECT_EQ(Candidates().size(), 1u);
  EXPECT_EQ(summary->interrupted, 1);
}

TEST_F(ControllerTest, WallTimeBudgetStopsDispatching) {
  // 40ms per job, two jobs per candidate, two workers: roughly 25
  // candidates a second; the budget is 600ms.
  SlowSandbox sandbox({.hold = absl::Milliseconds(40)});
  config_.max_evaluations.reset();
  config_.max_wall_time = absl::Milliseconds(600);
  config_.workers = 2;
  const absl::Time start = absl::Now();
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  const absl::Duration took = absl::Now() - start;
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("time budget"));
  EXPECT_GE(summary->elapsed, absl::Milliseconds(600));
  EXPECT_LT(took, absl::Seconds(10));
  const size_t count = Candidates().size();
  EXPECT_GE(count, 2u);
  EXPECT_LT(count, 200u);
  // Candidates already running when time ran out were finished, not dropped.
  EXPECT_EQ(CountStatus(archive::CandidateStatus::kDone), static_cast<int>(count));
  EXPECT_EQ(summary->evaluated, static_cast<int64_t>(count));
}

}  // namespace
}  // namespace cambrian::orchestrator
