#include "evaluator/lease_board.h"

#include <atomic>
#include <thread>

#include "evaluator/worker_protocol.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::evaluator {
namespace {

using ::testing::HasSubstr;

class FakeClock : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1000);
};

Work Job(const std::string& name) {
  Program program = {{"a.sh", "X=" + name + "\n"}};
  return {name, 7, program, RequestOf(7, program)};
}

Evaluation Scored(double fitness) {
  Evaluation evaluation;
  evaluation.fitness = fitness;
  return evaluation;
}

// Runs `work` on a thread; the result lands in `result`.
std::thread Start(LeaseBoard& board, Work work, std::optional<absl::StatusOr<Evaluation>>& result,
                  const std::atomic<bool>* cancel = nullptr) {
  return std::thread([&board, work, &result, cancel] { result = board.Run(work, cancel); });
}

TEST(LeaseBoardTest, AWorkerLeasesRunsAndDelivers) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 3);
  std::optional<absl::StatusOr<Evaluation>> result;
  std::thread run = Start(board, Job("c1"), result);
  std::optional<Lease> lease = board.Take("w1", absl::Seconds(5));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->work.job, "c1");
  EXPECT_EQ(lease->id.size(), 32u);
  EXPECT_EQ(board.leased(), 1);
  EXPECT_FALSE(board.Take("w2", absl::Milliseconds(50)).has_value());  // nothing else queued
  EXPECT_TRUE(board.Heartbeat(lease->id, "c1", lease->work.request).ok());
  EXPECT_TRUE(board.Deliver(lease->id, "c1", lease->work.request, Scored(2.5)).ok());
  run.join();
  ASSERT_TRUE(result->ok());
  EXPECT_EQ((*result)->fitness, 2.5);
  // The lease is spent: a second delivery is refused.
  EXPECT_EQ(board.Deliver(lease->id, "c1", lease->work.request, Scored(1)).code(),
            absl::StatusCode::kNotFound);
}

TEST(LeaseBoardTest, AnExpiredLeaseGoesBackAndItsWorkerIsToldToStop) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 3);
  std::optional<absl::StatusOr<Evaluation>> result;
  std::thread run = Start(board, Job("c1"), result);
  std::optional<Lease> first = board.Take("w1", absl::Seconds(5));
  ASSERT_TRUE(first.has_value());
  clock.now += absl::Seconds(20);
  EXPECT_EQ(board.Expire(), 0);  // heartbeats are not due yet
  clock.now += absl::Seconds(11);
  EXPECT_EQ(board.Expire(), 1);
  std::optional<Lease> second = board.Take("w2", absl::Seconds(5));
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->id, first->id);
  EXPECT_EQ(board.Heartbeat(first->id, "c1", first->work.request).code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(board.Deliver(second->id, "c1", second->work.request, Scored(3)).ok());
  run.join();
  EXPECT_EQ((*result)->fitness, 3);
}

TEST(LeaseBoardTest, WorkWhoseWorkersKeepDyingFails) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 2);
  std::optional<absl::StatusOr<Evaluation>> result;
  std::thread run = Start(board, Job("c9"), result);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(board.Take("w", absl::Seconds(5)).has_value());
    clock.now += absl::Seconds(31);
    board.Expire();
  }
  run.join();
  EXPECT_EQ(result->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(result->status().message()), HasSubstr("c9"));
}

TEST(LeaseBoardTest, CancelRevokesTheLease) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 3);
  std::atomic<bool> cancel{false};
  std::optional<absl::StatusOr<Evaluation>> result;
  std::thread run = Start(board, Job("c1"), result, &cancel);
  std::optional<Lease> lease = board.Take("w1", absl::Seconds(5));
  ASSERT_TRUE(lease.has_value());
  cancel = true;
  run.join();
  EXPECT_EQ((*result)->outcome, Outcome::kKilled);
  EXPECT_EQ(board.Heartbeat(lease->id, "c1", lease->work.request).code(),
            absl::StatusCode::kNotFound);
}

TEST(LeaseBoardTest, AnEarlierControllersLeaseIsAdoptedOnlyForTheSameRequest) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 3);
  board.Hold({"c4"}, clock.now + absl::Seconds(30));
  std::optional<absl::StatusOr<Evaluation>> result;
  std::thread run = Start(board, Job("c4"), result);
  while (board.queued() == 0) std::this_thread::yield();
  // Held: no new worker gets it while the old one may still report.
  EXPECT_FALSE(board.Take("w-new", absl::Milliseconds(100)).has_value());
  EXPECT_EQ(board.Heartbeat("old-lease", "c4", "7 some-other-program").code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(board.Heartbeat("old-lease", "c4", Job("c4").request).ok());
  EXPECT_TRUE(board.Deliver("old-lease", "c4", Job("c4").request, Scored(9)).ok());
  run.join();
  EXPECT_EQ((*result)->fitness, 9);

  std::optional<absl::StatusOr<Evaluation>> later;
  std::thread again = Start(board, Job("c5"), later);
  board.Hold({"c5"}, clock.now + absl::Seconds(30));
  clock.now += absl::Seconds(31);  // the hold lapses: any worker may take it
  std::optional<Lease> lease = board.Take("w-new", absl::Seconds(5));
  ASSERT_TRUE(lease.has_value());
  EXPECT_TRUE(board.Deliver(lease->id, "c5", lease->work.request, Scored(1)).ok());
  again.join();
}

TEST(LeaseBoardTest, InGraceAResumedControllerAnswersItsPredecessorsWorkers) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 3);
  board.Grace(clock.now + absl::Seconds(30));
  // The old worker heartbeats and delivers before the work is queued again.
  EXPECT_TRUE(board.Heartbeat("old", "c2", Job("c2").request).ok());
  EXPECT_TRUE(board.Deliver("old", "c2", Job("c2").request, Scored(5)).ok());
  absl::StatusOr<Evaluation> taken = board.Run(Job("c2"), nullptr);  // no worker needed
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->fitness, 5);
  clock.now += absl::Seconds(31);  // after the grace, an unknown lease is told to stop
  EXPECT_EQ(board.Heartbeat("old", "c3", Job("c3").request).code(), absl::StatusCode::kNotFound);
}

TEST(LeaseBoardTest, FailQueuedEndsWorkNoWorkerHolds) {
  FakeClock clock;
  LeaseBoard board(clock, absl::Seconds(30), 3);
  std::optional<absl::StatusOr<Evaluation>> held, waiting;
  std::thread first = Start(board, Job("c1"), held);
  std::optional<Lease> lease = board.Take("w", absl::Seconds(5));
  ASSERT_TRUE(lease.has_value());
  std::thread second = Start(board, Job("c2"), waiting);
  while (board.queued() == 0) std::this_thread::yield();
  board.FailQueued(absl::FailedPreconditionError("no worker will come"));
  second.join();
  EXPECT_EQ(waiting->status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(board.Deliver(lease->id, "c1", lease->work.request, Scored(1)).ok());
  first.join();
  EXPECT_TRUE(held->ok());  // the leased one was not failed
}

TEST(WorkerProtocolTest, LeasesRoundTripBinaryFilesAndRefuseUnsafePaths) {
  Lease lease{"abc", {"c2", 11, {{"bin/data", std::string("\0\xff\x01", 3)}}, "11 h"}};
  absl::StatusOr<Lease> back = LeaseFromJson(LeaseToJson(lease));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->work.program, lease.work.program);
  EXPECT_EQ(back->work.seed, 11u);
  EXPECT_EQ(back->work.request, "11 h");
  lease.work.program = {{"../escape", "x"}};
  EXPECT_EQ(LeaseFromJson(LeaseToJson(lease)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(LeaseFromJson("{}").ok());
}

}  // namespace
}  // namespace cambrian::evaluator
