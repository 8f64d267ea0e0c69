// Slot utilisation: with N slots and jobs of a fixed length L, the
// controller keeps every slot busy, so it finishes close to N / L candidates
// per second. bench/slot_utilisation.sh prints the figure for real processes;
// this test asserts it loosely (the machines are shared and noisy).
#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "tests/orchestrator/controller_fixture.h"
#include "tests/testing/slow_sandbox.h"

namespace cambrian::orchestrator {
namespace {

TEST_F(ControllerTest, FixedLengthJobsKeepEverySlotBusy) {
  constexpr int kSlots = 4;
  constexpr int kCandidates = 48;
  const absl::Duration hold = absl::Milliseconds(100);  // per stage; two stages per candidate
  config_.workers = kSlots;
  config_.max_evaluations = kCandidates;
  SlowSandbox sandbox({.hold = hold});
  const absl::Time start = absl::Now();
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  const double wall = absl::ToDoubleSeconds(absl::Now() - start);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->evaluated, kCandidates);
  EXPECT_EQ(sandbox.max_active(), kSlots);
  const double job = 2 * absl::ToDoubleSeconds(hold);
  const double ideal = kSlots / job;  // candidates per second
  const double achieved = kCandidates / wall;
  std::cout << "slot utilisation: " << achieved << " candidates/s of an ideal " << ideal << " ("
            << 100 * achieved / ideal << "%)\n";
  // Loose: a slot held for a generation would give ~50%; overhead is ~1%.
  EXPECT_GT(achieved, 0.75 * ideal);
  EXPECT_LE(achieved, 1.01 * ideal);  // jobs really took their time
}

}  // namespace
}  // namespace cambrian::orchestrator
