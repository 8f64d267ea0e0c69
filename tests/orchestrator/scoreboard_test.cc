// The controller's record of finished candidates (orchestrator/scoreboard.h).
#include "orchestrator/scoreboard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

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

TEST(ScoreboardTest, ANewBestMustBeatTheNoise) {
  Scoreboard board(std::vector<Axis>{{Goal::kMaximize, {.absolute = 0.5}}});
  EXPECT_TRUE(board.Add(1, Result(10.0, "ok")));
  EXPECT_FALSE(board.Add(2, Result(10.4, "ok")));  // a tie: not progress
  EXPECT_EQ(board.best_id(), 1);
  EXPECT_TRUE(board.Add(3, Result(10.6, "ok")));
  EXPECT_EQ(board.best_id(), 3);
  Scoreboard relative(std::vector<Axis>{{Goal::kMinimize, {.relative = 0.1}}});
  EXPECT_TRUE(relative.Add(1, Result(100, "ok")));
  EXPECT_FALSE(relative.Add(2, Result(95, "ok")));  // 5% better: within 10%
  EXPECT_TRUE(relative.Add(3, Result(85, "ok")));
}

TEST(ScoreboardTest, SeveralObjectivesProgressWhenTheFrontDoes) {
  Scoreboard board(std::vector<Axis>{{Goal::kMinimize, {}}, {Goal::kMinimize, {}}});
  EXPECT_TRUE(board.Add(1, Result(3.0, "ok"), {3.0, 10}));
  EXPECT_TRUE(board.Add(2, Result(4.0, "ok"), {4.0, 5}));    // a trade-off
  EXPECT_FALSE(board.Add(3, Result(5.0, "ok"), {5.0, 6}));   // dominated by #2
  EXPECT_FALSE(board.Add(4, Result(3.0, "ok"), {3.0, 10}));  // a copy of #1
  EXPECT_TRUE(board.Add(5, Result(2.0, "ok"), {2.0, 9}));    // dominates #1
  std::vector<int64_t> front = board.front();
  std::sort(front.begin(), front.end());
  EXPECT_EQ(front, (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(board.best_id(), 5);  // the best first objective
}

}  // namespace
}  // namespace cambrian::orchestrator
