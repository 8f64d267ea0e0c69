#include "common/pareto.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian {
namespace {

using ::testing::ElementsAre;

// Bits per byte (minimise) against tokens per second (maximise).
const std::vector<Axis> kTwo = {{Goal::kMinimize, {}}, {Goal::kMaximize, {}}};

TEST(ParetoTest, DominanceNeedsBetterSomewhereAndWorseNowhere) {
  EXPECT_TRUE(Dominates(kTwo, {1.0, 10}, {2.0, 10}));
  EXPECT_TRUE(Dominates(kTwo, {1.0, 11}, {2.0, 10}));
  EXPECT_FALSE(Dominates(kTwo, {1.0, 9}, {2.0, 10}));   // a trade-off
  EXPECT_FALSE(Dominates(kTwo, {1.0, 10}, {1.0, 10}));  // equal
  EXPECT_FALSE(Dominates(kTwo, {2.0, 10}, {1.0, 10}));
}

TEST(ParetoTest, DifferencesWithinNoiseAreTies) {
  const std::vector<Axis> noisy = {{Goal::kMinimize, {.absolute = 0.1}},
                                   {Goal::kMaximize, {.relative = 0.05}}};
  // 0.05 better in bpb is noise; 4% more speed is noise.
  EXPECT_FALSE(Dominates(noisy, {1.00, 104}, {1.05, 100}));
  EXPECT_TRUE(TiesEverywhere(noisy, {1.00, 104}, {1.05, 100}));
  // Beyond the noise on one axis, within it on the other: dominates.
  EXPECT_TRUE(Dominates(noisy, {0.80, 98}, {1.00, 100}));
  // Worse beyond the noise on one axis: a trade-off, however good elsewhere.
  EXPECT_FALSE(Dominates(noisy, {0.10, 90}, {1.00, 100}));
}

TEST(ParetoTest, OneAxisIsBetterBeyondNoise) {
  const std::vector<Axis> one = {{Goal::kMaximize, {.absolute = 0.5}}};
  EXPECT_FALSE(ImprovesFront(one, {{10}}, {10.4}));
  EXPECT_TRUE(ImprovesFront(one, {{10}}, {10.6}));
  EXPECT_FALSE(ImprovesFront(one, {{10}, {3}}, {9}));
  EXPECT_TRUE(ImprovesFront(one, {}, {1}));
}

TEST(ParetoTest, FrontAndRanks) {
  const std::vector<Point> points = {
      {1.0, 10},  // 0: front
      {2.0, 20},  // 1: front
      {1.5, 5},   // 2: dominated by 0
      {3.0, 15},  // 3: dominated by 1
      {0.5, 1},   // 4: front (the best bpb)
      {3.5, 14},  // 5: dominated by 1 and 3
  };
  EXPECT_THAT(FrontOf(kTwo, points), ElementsAre(0, 1, 4));
  EXPECT_THAT(ParetoRanks(kTwo, points), ElementsAre(0, 0, 1, 1, 0, 2));
}

TEST(ParetoTest, ImprovementIsANewTradeOffOrADominatingPoint) {
  const std::vector<Point> front = {{1.0, 10}, {2.0, 20}};
  EXPECT_TRUE(ImprovesFront(kTwo, front, {1.5, 15}));   // between them
  EXPECT_TRUE(ImprovesFront(kTwo, front, {0.9, 10}));   // dominates one
  EXPECT_FALSE(ImprovesFront(kTwo, front, {1.5, 9}));   // dominated
  EXPECT_FALSE(ImprovesFront(kTwo, front, {1.0, 10}));  // a copy
}

TEST(ParetoTest, CrowdingFavoursTheEndsAndTheSparseMiddle) {
  const std::vector<Point> points = {{0, 10}, {1, 9}, {1.1, 8.9}, {5, 5}, {10, 0}};
  const std::vector<double> d = CrowdingDistances(points, {0, 1, 2, 3, 4});
  EXPECT_TRUE(std::isinf(d[0]));
  EXPECT_TRUE(std::isinf(d[4]));
  EXPECT_GT(d[3], d[1]);
  EXPECT_GT(d[3], d[2]);
  const Standing standing = StandingOf(kTwo, {{1.0, 10}, {2.0, 20}, {1.5, 5}});
  EXPECT_TRUE(standing.Better(0, 2));
  EXPECT_FALSE(standing.Better(2, 1));
}

TEST(ParetoTest, ACycleOfDominanceStillHasAFront) {
  // With noise, dominance is not transitive: a > b > c > a here.
  const std::vector<Axis> three(3, Axis{Goal::kMaximize, {.absolute = 0.5}});
  const std::vector<Point> points = {{0, 0, 0}, {-0.6, 0.5, 0.5}, {-0.5, 1, -0.4}};
  ASSERT_TRUE(Dominates(three, points[0], points[1]));
  ASSERT_TRUE(Dominates(three, points[1], points[2]));
  ASSERT_TRUE(Dominates(three, points[2], points[0]));
  EXPECT_THAT(FrontOf(three, points), ElementsAre(0, 1, 2));
  EXPECT_THAT(ParetoRanks(three, points), ElementsAre(0, 0, 0));
}

TEST(ParetoTest, AMissingValueIsTheWorst) {
  const Point comparable = Comparable(kTwo, {std::nan("")});
  ASSERT_EQ(comparable.size(), 2u);
  EXPECT_TRUE(std::isinf(comparable[0]) && comparable[0] > 0);  // minimised: +inf
  EXPECT_TRUE(std::isinf(comparable[1]) && comparable[1] < 0);  // maximised: -inf
  EXPECT_TRUE(Dominates(kTwo, {100, 0}, comparable));
  EXPECT_FALSE(Dominates(kTwo, comparable, {100, 0}));
  EXPECT_FALSE(ImprovesFront(kTwo, {comparable}, comparable));  // a tie with itself
  const std::vector<double> d = CrowdingDistances({{1, 1}, comparable, {2, 2}}, {0, 1, 2});
  EXPECT_TRUE(std::isinf(d[1]));
}

TEST(ParetoTest, AxesOfATask) {
  Task task;
  task.goal = Goal::kMinimize;
  task.noise = {.absolute = 0.1};
  ASSERT_EQ(AxesOf(task).size(), 1u);
  EXPECT_EQ(AxesOf(task)[0].goal, Goal::kMinimize);
  task.objectives = {{.name = "a", .goal = Goal::kMaximize}, {.name = "b"}};
  EXPECT_EQ(AxesOf(task).size(), 2u);
  EXPECT_TRUE(MultiObjective(task));
}

}  // namespace
}  // namespace cambrian
