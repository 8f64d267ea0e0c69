// Model selection that learns (mutators/llm/model_bandit.h).
#include "mutators/llm/model_bandit.h"

#include <gtest/gtest.h>

#include <map>

namespace cambrian::mutators {
namespace {

TEST(ModelBanditTest, TriesEveryModelOnceAndNeverAWeightZeroOne) {
  ModelBandit bandit({1, 0, 1, 1});
  Rng rng(5);
  std::map<size_t, int> first;
  for (int i = 0; i < 3; ++i) {
    size_t arm = bandit.Pick(rng);
    ++first[arm];
    bandit.Called(arm, 0);
  }
  EXPECT_EQ(first, (std::map<size_t, int>{{0, 1}, {2, 1}, {3, 1}}));
  for (int i = 0; i < 200; ++i) {
    size_t arm = bandit.Pick(rng);
    EXPECT_NE(arm, 1u);
    bandit.Called(arm, 0);
  }
}

// Calls `n` times; the arm at index `good` wins every `every`-th call.
std::map<size_t, int> Play(ModelBandit& bandit, int n, size_t good, int every,
                           const std::vector<double>& cost) {
  Rng rng(11);
  std::map<size_t, int> calls;
  for (int i = 0; i < n; ++i) {
    size_t arm = bandit.Pick(rng);
    ++calls[arm];
    bandit.Called(arm, cost[arm]);
    if (arm == good && calls[arm] % every == 0) bandit.Improved(arm);
  }
  return calls;
}

TEST(ModelBanditTest, TheModelWhoseChildrenImproveGetsMostCalls) {
  ModelBandit bandit({1, 1, 1});
  std::map<size_t, int> calls = Play(bandit, 300, 1, 2, {0, 0, 0});
  EXPECT_GT(calls[1], 200);
  EXPECT_GT(calls[0], 0);  // still explored
  EXPECT_EQ(bandit.arms()[1].wins, calls[1] / 2);
}

TEST(ModelBanditTest, AtEqualHitRatesTheCheaperModelWins) {
  // Both improve on every second call; model 0 costs ten times model 1.
  ModelBandit bandit({1, 1});
  Rng rng(3);
  std::map<size_t, int> calls;
  for (int i = 0; i < 300; ++i) {
    size_t arm = bandit.Pick(rng);
    ++calls[arm];
    bandit.Called(arm, arm == 0 ? 0.10 : 0.01);
    if (calls[arm] % 2 == 0) bandit.Improved(arm);
  }
  EXPECT_GT(calls[1], 2 * calls[0]);
  EXPECT_NEAR(bandit.arms()[0].cost_usd, 0.10 * calls[0], 1e-9);
}

}  // namespace
}  // namespace cambrian::mutators
