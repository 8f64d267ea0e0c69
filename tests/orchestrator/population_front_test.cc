// The population with noise and with several objectives
// (orchestrator/population_front.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "orchestrator/population.h"

namespace cambrian::orchestrator {
namespace {

using ::testing::UnorderedElementsAre;

PopulationConfig Quiet(int islands) {
  PopulationConfig config;
  config.islands = islands;
  config.migration_interval = 0;
  config.reseed_after = 0;
  return config;
}

// Quality (maximise) against cost (minimise).
const std::vector<Axis> kTwo = {{Goal::kMaximize, {}}, {Goal::kMinimize, {}}};

std::vector<int64_t> EliteIds(const Population& population) {
  std::vector<int64_t> ids;
  for (const Member& elite : population.elites()) ids.push_back(elite.id);
  return ids;
}

TEST(PopulationFrontTest, ElitesAreTheRunsFront) {
  Population population(Quiet(1), kTwo, {});
  population.Add(1, 0, 5.0, {}, {5, 5});
  population.Add(2, 0, 8.0, {}, {8, 9});  // a trade-off: better, costlier
  population.Add(3, 0, 4.0, {}, {4, 6});  // dominated by #1
  population.Add(4, 0, 6.0, {}, {6, 5});  // dominates #1
  population.Add(5, 0, 2.0, {}, {2, 1});  // cheapest
  EXPECT_THAT(EliteIds(population), UnorderedElementsAre(2, 4, 5));
  // The headline best is the best first objective.
  EXPECT_EQ(population.Best()->id, 2);
  EXPECT_EQ(EliteIds(population).front(), 2);
}

TEST(PopulationFrontTest, TheEliteArchiveDropsTheMostCrowdedBeyondItsSize) {
  PopulationConfig config = Quiet(1);
  config.elite_size = 4;
  Population population(config, kTwo, {});
  // Six points on one front (quality = cost); 3.1 and 3.2 crowd each other.
  const std::vector<double> at = {1, 3, 3.1, 3.2, 6, 10};
  for (size_t i = 0; i < at.size(); ++i) {
    population.Add(static_cast<int64_t>(i + 1), 0, at[i], {}, {at[i], at[i]});
  }
  const std::vector<int64_t> kept = EliteIds(population);
  ASSERT_EQ(kept.size(), 4u);
  // Both ends stay; of the crowded middle only one.
  EXPECT_THAT(std::set<int64_t>(kept.begin(), kept.end()).count(1), 1u);
  EXPECT_THAT(std::set<int64_t>(kept.begin(), kept.end()).count(6), 1u);
  int middle = 0;
  for (int64_t id : kept) middle += (id >= 2 && id <= 4) ? 1 : 0;
  EXPECT_EQ(middle, 1);
}

TEST(PopulationFrontTest, ACellsEliteIsReplacedOnlyByOneThatDominatesIt) {
  Population population(Quiet(1), kTwo, {FeatureSpec{"size", 1, 0, 1}});
  population.Add(1, 0, 5.0, {}, {5, 5});
  population.Add(2, 0, 9.0, {}, {9, 9});  // a trade-off: #1 stays the cell's elite
  Rng rng(1);
  std::set<int64_t> exploit;
  PopulationConfig only_exploit = Quiet(1);
  only_exploit.exploit_rate = 1;
  only_exploit.explore_rate = 0;
  Population pick(only_exploit, kTwo, {FeatureSpec{"size", 1, 0, 1}});
  pick.Add(1, 0, 5.0, {}, {5, 5});
  pick.Add(2, 0, 9.0, {}, {9, 9});
  for (int i = 0; i < 50; ++i) exploit.insert(*pick.SelectParent(0, rng));
  EXPECT_EQ(exploit, std::set<int64_t>({1}));
  pick.Add(3, 0, 6.0, {}, {6, 4});  // dominates #1
  exploit.clear();
  for (int i = 0; i < 50; ++i) exploit.insert(*pick.SelectParent(0, rng));
  EXPECT_EQ(exploit, std::set<int64_t>({3}));
}

TEST(PopulationFrontTest, TournamentsPreferTheFront) {
  PopulationConfig config = Quiet(1);
  config.exploit_rate = 1;
  config.explore_rate = 0;
  config.tournament_size = 4;
  // One cell per candidate, so each is a grid elite.
  Population population(config, kTwo, {FeatureSpec{"size", 8, 0, 8}});
  population.Add(1, 0, 9.0, {{"size", 0}}, {9, 9});    // front
  population.Add(2, 0, 1.0, {{"size", 1}}, {1, 1});    // front
  population.Add(3, 0, 5.0, {{"size", 2}}, {5, 8});    // dominated by #1? no: 5 < 9, 8 < 9: front
  population.Add(4, 0, 4.0, {{"size", 3}}, {4, 8});    // dominated by #3
  population.Add(5, 0, 0.5, {{"size", 4}}, {0.5, 7});  // dominated by #2, #3
  Rng rng(7);
  std::map<int64_t, int> picks;
  for (int i = 0; i < 400; ++i) ++picks[*population.SelectParent(0, rng)];
  EXPECT_GT(picks[1] + picks[2] + picks[3], 350);
  EXPECT_GT(picks[1], 0);
  EXPECT_GT(picks[2], 0);
}

TEST(PopulationFrontTest, ImprovementIsANewTradeOffAndResetsStaleness) {
  Population population(Quiet(1), kTwo, {});
  population.Add(1, 0, 5.0, {}, {5, 5});
  population.Add(2, 0, 4.0, {}, {4, 6});  // dominated: stale
  EXPECT_EQ(population.Islands()[0].stale, 1);
  population.Add(3, 0, 9.0, {}, {9, 9});  // a new trade-off
  EXPECT_EQ(population.Islands()[0].stale, 0);
}

TEST(PopulationFrontTest, WithNoiseATieKeepsTheIncumbent) {
  Population population(Quiet(1), std::vector<Axis>{{Goal::kMaximize, {.absolute = 0.5}}},
                        {FeatureSpec{"size", 1, 0, 1}});
  population.Add(1, 0, 10.0, {});
  population.Add(2, 0, 10.4, {});  // within the noise: neither the best nor progress
  EXPECT_EQ(population.Islands()[0].best->id, 1);
  EXPECT_EQ(population.Islands()[0].stale, 1);
  population.Add(3, 0, 10.6, {});  // beyond it
  EXPECT_EQ(population.Islands()[0].best->id, 3);
  EXPECT_EQ(population.Islands()[0].stale, 0);
}

TEST(PopulationFrontTest, MigrationSendsTheFrontRoundInTurn) {
  PopulationConfig config = Quiet(2);
  config.migration_interval = 3;
  Population population(config, kTwo, {});
  population.Add(1, 0, 9.0, {}, {9, 9});
  population.Add(2, 0, 1.0, {}, {1, 1});
  std::vector<std::string> log = population.Add(3, 0, 5.0, {}, {5, 5});
  ASSERT_EQ(log.size(), 1u);
  EXPECT_NE(log[0].find("#1 from island 0"), std::string::npos);  // the headline end first
  population.Add(4, 1, 0.1, {}, {0.1, 50});
  population.Add(5, 1, 0.2, {}, {0.2, 50});
  log = population.Add(6, 1, 0.3, {}, {0.3, 50});
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log[0].find("#3 from island 0"), std::string::npos);  // then the next point
}

TEST(PopulationFrontTest, ObjectivesSurviveTheStoredState) {
  Population population(Quiet(1), kTwo, {});
  population.Add(1, 0, 5.0, {}, {5, 5});
  population.Add(2, 0, 8.0, {}, {8, 9});
  Population restored(Quiet(1), kTwo, {});
  ASSERT_TRUE(
      restored.Restore(population.ToJson(), {{1, 5.0, {}, {5, 5}}, {2, 8.0, {}, {8, 9}}}).ok());
  ASSERT_EQ(restored.elites().size(), 2u);
  EXPECT_EQ(restored.elites()[0].objectives, (Point{8, 9}));
  restored.Add(3, 0, 6.0, {}, {6, 4});  // dominates #1 only
  EXPECT_THAT(EliteIds(restored), UnorderedElementsAre(2, 3));
}

}  // namespace
}  // namespace cambrian::orchestrator
