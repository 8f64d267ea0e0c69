#include "orchestrator/selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace cambrian::orchestrator {
namespace {

std::vector<Scored> Pool() {
  return {{1, 5.0}, {2, -3.0}, {3, 12.5}, {4, 0.0}, {5, 7.0}, {6, 12.0}, {7, 1.0}, {8, -1.0}};
}

double FitnessOf(const std::vector<Scored>& pool, int64_t id) {
  for (const Scored& entry : pool) {
    if (entry.id == id) return entry.fitness;
  }
  ADD_FAILURE() << "TournamentSelect returned id " << id << ", which is not in the pool";
  return 0;
}

TEST(TournamentSelectTest, SingleMemberPoolAlwaysWins) {
  Rng rng(7);
  std::vector<Scored> pool = {{42, 1.5}};
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(TournamentSelect(pool, Goal::kMaximize, 3, rng), 42);
    EXPECT_EQ(TournamentSelect(pool, Goal::kMinimize, 3, rng), 42);
  }
}

TEST(TournamentSelectTest, ReturnsTheBestOfTheDrawnMembers) {
  // Replay the draws with a twin Rng: the winner must be the fittest of
  // exactly the members TournamentSelect drew.
  const std::vector<Scored> pool = Pool();
  for (Goal goal : {Goal::kMaximize, Goal::kMinimize}) {
    Rng rng(99), twin(99);
    for (int round = 0; round < 200; ++round) {
      const int k = 1 + round % 4;
      int64_t winner = TournamentSelect(pool, goal, k, rng);
      const Scored* best = nullptr;
      for (int i = 0; i < k; ++i) {
        const Scored& drawn = pool[twin.UniformInt(0, static_cast<int64_t>(pool.size()) - 1)];
        if (best == nullptr || Better(goal, drawn.fitness, best->fitness)) best = &drawn;
      }
      ASSERT_EQ(winner, best->id) << "round " << round << " k " << k;
    }
  }
}

TEST(TournamentSelectTest, KOfOneIsUniform) {
  const std::vector<Scored> pool = Pool();
  Rng rng(3);
  std::map<int64_t, int> wins;
  for (int i = 0; i < 4000; ++i) ++wins[TournamentSelect(pool, Goal::kMaximize, 1, rng)];
  EXPECT_EQ(wins.size(), pool.size());  // even the worst member gets picked
  for (const auto& [id, count] : wins) EXPECT_GT(count, 300) << "id " << id;
}

TEST(TournamentSelectTest, LargeTournamentMostlyPicksTheGlobalBest) {
  const std::vector<Scored> pool = Pool();
  const int k = static_cast<int>(pool.size());
  Rng rng(11);
  int best_max = 0, best_min = 0;
  const int draws = 2000;
  for (int i = 0; i < draws; ++i) {
    if (TournamentSelect(pool, Goal::kMaximize, k, rng) == 3) ++best_max;
    if (TournamentSelect(pool, Goal::kMinimize, k, rng) == 2) ++best_min;
  }
  // P(best drawn in 8 draws from 8) = 1 - (7/8)^8 ~ 0.66; far above the 1/8
  // a uniform pick would give.
  EXPECT_GT(best_max, draws / 2);
  EXPECT_GT(best_min, draws / 2);
}

TEST(TournamentSelectTest, RespectsMinimize) {
  const std::vector<Scored> pool = Pool();
  Rng rng(5);
  double sum_max = 0, sum_min = 0;
  for (int i = 0; i < 1000; ++i) {
    sum_max += FitnessOf(pool, TournamentSelect(pool, Goal::kMaximize, 4, rng));
    sum_min += FitnessOf(pool, TournamentSelect(pool, Goal::kMinimize, 4, rng));
  }
  EXPECT_GT(sum_max / 1000, 8.0);
  EXPECT_LT(sum_min / 1000, 0.0);
}

TEST(TournamentSelectTest, DeterministicForASeed) {
  const std::vector<Scored> pool = Pool();
  auto draw = [&](uint64_t seed) {
    Rng rng(seed);
    std::vector<int64_t> ids;
    for (int i = 0; i < 100; ++i) ids.push_back(TournamentSelect(pool, Goal::kMaximize, 2, rng));
    return ids;
  };
  EXPECT_EQ(draw(17), draw(17));
  EXPECT_NE(draw(17), draw(18));
}

TEST(TournamentSelectTest, NonPositiveKStillDrawsOne) {
  const std::vector<Scored> pool = Pool();
  Rng rng(1);
  for (int i = 0; i < 50; ++i) {
    int64_t id = TournamentSelect(pool, Goal::kMaximize, 0, rng);
    EXPECT_GE(id, 1);
    EXPECT_LE(id, 8);
  }
}

}  // namespace
}  // namespace cambrian::orchestrator
