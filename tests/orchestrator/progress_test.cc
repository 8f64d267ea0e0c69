#include "orchestrator/progress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace cambrian::orchestrator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

TEST(FormatProgressTest, FullLine) {
  ProgressState state;
  state.evaluated = 34;
  state.budget = 200;
  state.in_flight = 2;
  state.failed = 3;
  state.best_id = 31;
  state.best_fitness = 14.2;
  state.elapsed = absl::Seconds(80);
  state.since_improvement = absl::Seconds(12);
  EXPECT_EQ(FormatProgress(state),
            "[1m20s] evals 34/200 | in flight 2 | failed 3 | best 14.2 (#31, improved 12.0s ago)");
}

TEST(FormatProgressTest, TheLlmPartShowsRequestsOutAndItsShare) {
  ProgressState state;
  state.evaluated = 20;
  state.llm_calls = 9;
  state.llm_tokens = 31000;
  state.llm_cost_usd = 0.0123;
  state.llm_out = 2;
  state.llm_oldest = absl::Seconds(41);
  state.llm_children = 12;
  state.children = 20;
  EXPECT_THAT(FormatProgress(state),
              HasSubstr(" | llm 9 calls (2 out, oldest 41.0s), 60% of children, 31000 tokens, "
                        "$0.0123"));
  state.llm_out = 0;  // nothing out: no age to show
  EXPECT_THAT(FormatProgress(state), HasSubstr(" | llm 9 calls, 60% of children"));
}

TEST(FormatProgressTest, WithoutBudgetShowsOnlyTheCount) {
  ProgressState state;
  state.evaluated = 7;
  state.in_flight = 1;
  state.elapsed = absl::Milliseconds(250);
  std::string line = FormatProgress(state);
  EXPECT_THAT(line, StartsWith("[250ms] evals 7 |"));
  EXPECT_THAT(line, Not(HasSubstr("7/")));
  EXPECT_THAT(line, HasSubstr("in flight 1"));
  EXPECT_THAT(line, HasSubstr("failed 0"));
}

TEST(FormatProgressTest, NoBestYet) {
  ProgressState state;
  state.budget = 10;
  std::string line = FormatProgress(state);
  EXPECT_THAT(line, HasSubstr("evals 0/10"));
  EXPECT_THAT(line, HasSubstr("best: none yet"));
  EXPECT_THAT(line, Not(HasSubstr("#")));
}

TEST(FormatProgressTest, NegativeAndLargeFitness) {
  ProgressState state;
  state.best_id = 1;
  state.best_fitness = -173.0;
  EXPECT_THAT(FormatProgress(state), HasSubstr("best -173 (#1,"));
  state.best_id = 12345;
  state.best_fitness = 1.5e12;
  EXPECT_THAT(FormatProgress(state), HasSubstr("best 1.5e+12 (#12345,"));
}

TEST(MakeProgressSinkTest, MakesASinkThatToleratesEveryCall) {
  std::unique_ptr<ProgressSink> sink = MakeProgressSink();
  ASSERT_NE(sink, nullptr);
  ProgressState state;
  sink->OnTick(state);
  sink->OnCandidate("#1 ok fitness 1  <- seed: the task's seed program");
  sink->Finish();
  sink->Finish();  // idempotent
}

}  // namespace
}  // namespace cambrian::orchestrator
