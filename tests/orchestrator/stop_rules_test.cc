// The run's stopping rules (orchestrator/stop_rules.h) on a manual clock.
#include "orchestrator/stop_rules.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_time.h"

namespace cambrian::orchestrator {
namespace {

using ::cambrian::testing::ManualClock;

TEST(StopRulesTest, EvaluationBudgetCountsSubmissions) {
  ManualClock clock;
  RunConfig config;
  config.max_evaluations = 3;
  StopRules stop(config, clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(stop.Check(false), "");
    stop.Submitted();
  }
  EXPECT_EQ(stop.Check(false), "evaluation budget of 3 reached");
  EXPECT_EQ(stop.Check(true), "interrupted");  // a signal names itself first
}

TEST(StopRulesTest, TimeBudgetSpansSessions) {
  ManualClock clock;
  RunConfig config;
  config.max_wall_time = absl::Minutes(10);
  StopRules stop(config, clock);
  stop.Resume(absl::Minutes(7), 0);  // earlier sessions
  clock.Advance(absl::Minutes(2));
  EXPECT_EQ(stop.Elapsed(), absl::Minutes(9));
  EXPECT_EQ(stop.Check(false), "");
  clock.Advance(absl::Minutes(1));
  EXPECT_EQ(stop.Check(false), "time budget of 10m reached");
}

TEST(StopRulesTest, PatienceResetsOnANewBest) {
  ManualClock clock;
  RunConfig config;
  config.patience = 2;
  StopRules stop(config, clock);
  stop.Evaluated(false);
  clock.Advance(absl::Seconds(5));
  stop.Evaluated(true);
  EXPECT_EQ(stop.since_improvement(), 0);
  EXPECT_EQ(stop.SinceImprovement(), absl::ZeroDuration());
  stop.Evaluated(false);
  EXPECT_EQ(stop.Check(false), "");
  stop.Evaluated(false);
  EXPECT_EQ(stop.Check(false), "no new best in the last 2 evaluations");
  clock.Advance(absl::Seconds(3));
  EXPECT_EQ(stop.SinceImprovement(), absl::Seconds(3));
}

TEST(StopRulesTest, AHaltKeepsItsFirstReason) {
  ManualClock clock;
  RunConfig config;
  StopRules stop(config, clock);
  stop.Halt("LLM spending cap of $1 reached");
  stop.Halt("something later");
  EXPECT_EQ(stop.Check(false), "LLM spending cap of $1 reached");
}

}  // namespace
}  // namespace cambrian::orchestrator
