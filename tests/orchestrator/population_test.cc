#include "orchestrator/population.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "nlohmann/json.hpp"

namespace cambrian::orchestrator {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<FeatureSpec> OneFeature() { return {FeatureSpec{"size", 4, 0.0, 8.0}}; }

Metrics Size(double size) { return {{"size", size}}; }

PopulationConfig Quiet(int islands) {
  PopulationConfig config;
  config.islands = islands;
  config.migration_interval = 0;
  config.reseed_after = 0;
  return config;
}

TEST(PopulationTest, CellsBinFeaturesAndClampTheEnds) {
  Population population(Quiet(1), Goal::kMaximize,
                        {FeatureSpec{"a", 4, 0, 8}, FeatureSpec{"b", 2, -1, 1}});
  EXPECT_EQ(population.CellOf({{"a", 0}, {"b", -1}}), (std::vector<int>{0, 0}));
  EXPECT_EQ(population.CellOf({{"a", 2.0}, {"b", 0.0}}), (std::vector<int>{1, 1}));
  EXPECT_EQ(population.CellOf({{"a", 7.99}, {"b", 0.99}}), (std::vector<int>{3, 1}));
  EXPECT_EQ(population.CellOf({{"a", 100}, {"b", -50}}), (std::vector<int>{3, 0}));
  EXPECT_EQ(population.CellOf({}), (std::vector<int>{0, 0}));  // missing: bin 0
}

TEST(PopulationTest, GridKeepsTheBestOfEachCellAndElitesAreRunWide) {
  Population population(Quiet(1), Goal::kMinimize, OneFeature());
  population.Add(1, 0, 5.0, Size(1));           // cell 0
  population.Add(2, 0, 3.0, Size(1));           // cell 0, better
  population.Add(3, 0, 9.0, Size(5));           // cell 2
  population.Add(4, 0, std::nullopt, Size(5));  // failed: counted, not placed
  std::vector<IslandView> islands = population.Islands();
  ASSERT_EQ(islands.size(), 1u);
  EXPECT_EQ(islands[0].cells, 2);
  EXPECT_EQ(islands[0].members, 3);
  EXPECT_EQ(islands[0].best->id, 2);
  ASSERT_TRUE(population.Best());
  EXPECT_EQ(population.Best()->id, 2);
  std::vector<int64_t> elite_ids;
  for (const Member& elite : population.elites()) elite_ids.push_back(elite.id);
  EXPECT_THAT(elite_ids, ElementsAre(2, 1, 3));  // minimize: best first
}

TEST(PopulationTest, MembersAreBoundedButCellElitesStay) {
  PopulationConfig config = Quiet(1);
  config.island_size = 3;
  Population population(config, Goal::kMaximize, OneFeature());
  population.Add(1, 0, 1.0, Size(7));  // the only one in cell 3: an elite
  for (int id = 2; id <= 6; ++id) population.Add(id, 0, 10.0 + id, Size(1));
  IslandView island = population.Islands()[0];
  EXPECT_EQ(island.members, 3);
  EXPECT_EQ(island.cells, 2);
  // Explore draws only members: the weak elite of cell 3 is still one.
  config.exploit_rate = 0;
  config.explore_rate = 1;
  Population explore(config, Goal::kMaximize, OneFeature());
  ASSERT_TRUE(explore.Restore(population.ToJson(), {{1, 1.0, {3}}}).ok());
  std::set<int64_t> drawn;
  Rng rng(3);
  for (int i = 0; i < 200; ++i) drawn.insert(*explore.SelectParent(0, rng));
  EXPECT_EQ(drawn, (std::set<int64_t>{1, 5, 6}));
}

TEST(PopulationTest, IslandsTakeTurns) {
  Population population(Quiet(3), Goal::kMaximize, {});
  std::vector<int> turns;
  for (int i = 0; i < 7; ++i) turns.push_back(population.NextIsland());
  EXPECT_THAT(turns, ElementsAre(0, 1, 2, 0, 1, 2, 0));
}

TEST(PopulationTest, MigrationCopiesEachBestOneStepAroundTheRing) {
  PopulationConfig config = Quiet(3);
  config.migration_interval = 3;
  Population population(config, Goal::kMaximize, OneFeature());
  EXPECT_TRUE(population.Add(1, 0, 1.0, Size(1)).empty());
  EXPECT_TRUE(population.Add(2, 1, 2.0, Size(3)).empty());
  std::vector<std::string> log = population.Add(3, 2, 3.0, Size(5));
  ASSERT_EQ(log.size(), 3u);
  EXPECT_THAT(log[0], HasSubstr("#1 from island 0 to island 1"));
  EXPECT_THAT(log[2], HasSubstr("#3 from island 2 to island 0"));
  std::vector<IslandView> islands = population.Islands();
  EXPECT_EQ(islands[0].best->id, 3);  // received #3, better than its own
  EXPECT_EQ(islands[1].best->id, 2);  // received #1, worse: keeps its best
  EXPECT_EQ(islands[1].members, 2);
  EXPECT_EQ(islands[2].best->id, 3);
  EXPECT_EQ(population.migrations(), 1);
}

TEST(PopulationTest, StagnantIslandIsReseededFromTheOthers) {
  PopulationConfig config = Quiet(3);
  config.reseed_after = 4;
  Population population(config, Goal::kMaximize, OneFeature());
  population.Add(1, 0, 10.0, Size(1));
  population.Add(2, 1, 20.0, Size(1));
  population.Add(3, 2, 5.0, Size(1));
  std::vector<std::string> log;
  for (int id = 4; id <= 7; ++id) log = population.Add(id, 2, 1.0, Size(2));  // no progress
  ASSERT_EQ(log.size(), 1u);
  EXPECT_THAT(log[0], HasSubstr("island 2 made no progress for 4 evaluations"));
  EXPECT_THAT(log[0], HasSubstr("#1, #2"));
  IslandView island = population.Islands()[2];
  EXPECT_EQ(island.reseeds, 1);
  EXPECT_EQ(island.members, 2);
  EXPECT_EQ(island.best->id, 2);
  EXPECT_EQ(island.stale, 0);
}

TEST(PopulationTest, SelectionMixesExploitExploreAndRandom) {
  PopulationConfig config = Quiet(2);
  config.tournament_size = 50;  // exploit then always finds the cell elites' best
  config.exploit_rate = 1;
  config.explore_rate = 0;
  Population exploit(config, Goal::kMaximize, OneFeature());
  exploit.Add(1, 0, 1.0, Size(1));
  exploit.Add(2, 0, 2.0, Size(1));  // same cell as #1, which is no longer an elite
  exploit.Add(3, 0, 0.5, Size(5));
  exploit.Add(4, 1, 100.0, Size(1));  // another island
  Rng rng(11);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(exploit.SelectParent(0, rng), 2);
  // Random draws come from every island.
  config.exploit_rate = 0;
  Population random(config, Goal::kMaximize, OneFeature());
  ASSERT_TRUE(
      random.Restore(exploit.ToJson(), {{1, 1, {0}}, {2, 2, {0}}, {3, 0.5, {2}}, {4, 100, {0}}})
          .ok());
  std::map<int64_t, int> seen;
  for (int i = 0; i < 400; ++i) ++seen[*random.SelectParent(0, rng)];
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_GT(seen[4], 50);
}

TEST(PopulationTest, NothingScoredMeansNoParent) {
  Population population(Quiet(2), Goal::kMaximize, {});
  Rng rng(1);
  EXPECT_EQ(population.SelectParent(0, rng), std::nullopt);
  population.Add(1, 0, std::nullopt, {});
  EXPECT_EQ(population.SelectParent(0, rng), std::nullopt);
  population.Add(2, 0, 1.0, {});
  EXPECT_EQ(population.SelectParent(1, rng), 2);  // an empty island draws from the run
}

TEST(PopulationTest, InspirationsAreDistinctAndLeaveOutTheParent) {
  Population population(Quiet(2), Goal::kMaximize, OneFeature());
  for (int id = 1; id <= 8; ++id) population.Add(id, id % 2, id * 1.0, Size(id));
  Rng rng(5);
  for (int i = 0; i < 20; ++i) {
    std::vector<int64_t> picks = population.Inspirations(0, 8, 3, rng);
    std::set<int64_t> distinct(picks.begin(), picks.end());
    EXPECT_EQ(distinct.size(), picks.size());
    EXPECT_FALSE(distinct.count(8));
    EXPECT_LE(picks.size(), 3u);
    EXPECT_GE(picks.size(), 2u);
  }
  std::vector<int64_t> picks = population.Inspirations(1, 1, 3, rng);
  ASSERT_FALSE(picks.empty());
  EXPECT_EQ(picks[0], 7);  // island 1's best comes first
}

TEST(PopulationTest, StateRoundTripsAndContinuesIdentically) {
  PopulationConfig config = Quiet(3);
  config.migration_interval = 5;
  config.reseed_after = 7;
  Population original(config, Goal::kMaximize, OneFeature());
  std::vector<Member> scored;
  Rng feed(9);
  for (int id = 1; id <= 40; ++id) {
    double fitness = feed.Uniform() * 10;
    original.Add(id, original.NextIsland(), fitness, Size(feed.Uniform() * 8));
    scored.push_back({id, fitness, original.CellOf(Size(0))});
  }
  Population restored(config, Goal::kMaximize, OneFeature());
  ASSERT_TRUE(restored.Restore(original.ToJson(), scored).ok());
  EXPECT_EQ(restored.ToJson(), original.ToJson());
  Rng a(4), b(4);
  for (int i = 0; i < 30; ++i) {
    int island = original.NextIsland();
    EXPECT_EQ(restored.NextIsland(), island);
    EXPECT_EQ(original.SelectParent(island, a), restored.SelectParent(island, b));
  }
}

TEST(PopulationTest, DamagedOrMismatchedStateIsDataLoss) {
  Population three(Quiet(3), Goal::kMaximize, {});
  Population two(Quiet(2), Goal::kMaximize, {});
  absl::Status mismatch = two.Restore(three.ToJson(), {});
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(mismatch.message(), HasSubstr("3 islands"));
  nlohmann::json damaged = nlohmann::json::parse(three.ToJson());
  damaged["islands"][0].erase("members");
  EXPECT_EQ(three.Restore(damaged.dump(), {}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(three.Restore("[]", {}).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(three.Restore("{not json", {}).code(), absl::StatusCode::kDataLoss);
}

TEST(PopulationTest, ConfigChecksNameTheSetting) {
  PopulationConfig config;
  EXPECT_TRUE(CheckPopulationConfig(config).ok());
  config.islands = 0;
  EXPECT_THAT(CheckPopulationConfig(config).message(), HasSubstr("islands"));
  config = PopulationConfig();
  config.exploit_rate = 0.9;
  config.explore_rate = 0.2;
  EXPECT_THAT(CheckPopulationConfig(config).message(), HasSubstr("add up to at most 1"));
  config = PopulationConfig();
  config.migration_interval = -1;
  EXPECT_THAT(CheckPopulationConfig(config).message(), HasSubstr("migration_interval"));
}

}  // namespace
}  // namespace cambrian::orchestrator
