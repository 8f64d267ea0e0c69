// The controller's record of finished candidates (orchestrator/scoreboard.h).
#include "orchestrator/scoreboard.h"

#include <gtest/gtest.h>

namespace cambrian::orchestrator {
namespace {

mutators::ScoredProgram Result(std::optional<double> fitness, const std::string& outcome) {
  mutators::ScoredProgram result;
  result.fitness = fitness;
  result.outcome = outcome;
  return result;
}

TEST(ScoreboardTest, KeepsTheBestByTheTasksGoalAndCountsFailures) {
  Scoreboard board(Goal::kMinimize);
  EXPECT_TRUE(board.Add(1, Result(3.0, "ok")));  // the first fitness is a new best
  EXPECT_FALSE(board.Add(2, Result(std::nullopt, "build_error")));
  EXPECT_FALSE(board.Add(3, Result(4.0, "ok")));
  EXPECT_FALSE(board.Add(4, Result(3.0, "ok")));  // a tie keeps the earlier one
  EXPECT_TRUE(board.Add(5, Result(2.5, "ok")));
  EXPECT_EQ(board.best_id(), 5);
  EXPECT_EQ(board.best_fitness(), 2.5);
  EXPECT_EQ(board.evaluated(), 5);
  EXPECT_EQ(board.failed(), 1);
  ASSERT_EQ(board.scored().size(), 4u);
  EXPECT_EQ(board.scored()[1].id, 3);  // finish order
  ASSERT_NE(board.Find(2), nullptr);
  EXPECT_EQ(board.Find(2)->outcome, "build_error");
  EXPECT_EQ(board.Find(2)->id, 2);
  EXPECT_EQ(board.Find(9), nullptr);
}

TEST(ScoreboardTest, NoScoreNoBest) {
  Scoreboard board(Goal::kMaximize);
  EXPECT_FALSE(board.Add(1, Result(std::nullopt, "timeout")));
  EXPECT_FALSE(board.best_id().has_value());
  EXPECT_EQ(board.failed(), 1);
}

}  // namespace
}  // namespace cambrian::orchestrator
