#include "orchestrator/evaluation_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "evaluator/fitness.h"
#include "tests/testing/slow_sandbox.h"

namespace cambrian::orchestrator {
namespace {

namespace fs = std::filesystem;

// A one-stage task whose fitness is the metric x the sandbox reports.
class EvaluationPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    jobs_ = fs::path(::testing::TempDir()) /
            ("orch_pool_" + std::to_string(getpid()) + "_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(jobs_);
    fs::create_directories(jobs_);
    task_.name = "pool";
    task_.editable = {"*"};
    task_.stages = {StageSpec{"score", "score", absl::Seconds(30), ""}};
    task_.fitness_score = "x";
    auto fitness = evaluator::MakeExpressionFitness("x");
    ASSERT_TRUE(fitness.ok());
    fitness_ = *std::move(fitness);
  }
  void TearDown() override { fs::remove_all(jobs_); }

  evaluator::Evaluator MakeEvaluator(sandbox::Sandbox& sandbox) {
    return evaluator::Evaluator(task_, sandbox, *fitness_, {.jobs_root = jobs_});
  }

  static EvaluationRequest Request(int64_t id) {
    return {id, Program{{"p.txt", absl::StrCat("program ", id)}}, static_cast<uint64_t>(100 + id)};
  }

  // Collects `n` completions, failing if one does not arrive within 10s.
  static std::vector<EvaluationDone> Collect(EvaluationPool& pool, int n) {
    std::vector<EvaluationDone> all;
    while (static_cast<int>(all.size()) < n) {
      std::optional<EvaluationDone> done = pool.Wait(absl::Seconds(10));
      if (!done) {
        ADD_FAILURE() << "no completion within 10s; got " << all.size() << " of " << n;
        break;
      }
      all.push_back(*std::move(done));
    }
    return all;
  }

  fs::path jobs_;
  Task task_;
  std::unique_ptr<evaluator::FitnessFunction> fitness_;
};

TEST_F(EvaluationPoolTest, WorkersRunJobsConcurrently) {
  constexpr int kWorkers = 3;
  // Each job holds until all three run at once (or 10s pass).
  SlowSandbox sandbox({.hold = absl::Seconds(10), .release_at_active = kWorkers});
  evaluator::Evaluator evaluator = MakeEvaluator(sandbox);
  EvaluationPool pool(evaluator, kWorkers);
  EXPECT_EQ(pool.workers(), kWorkers);
  EXPECT_EQ(pool.in_flight(), 0);
  for (int64_t id = 1; id <= kWorkers; ++id) pool.Submit(Request(id));
  EXPECT_EQ(pool.in_flight(), kWorkers);
  std::vector<EvaluationDone> all = Collect(pool, kWorkers);
  EXPECT_EQ(sandbox.max_active(), kWorkers);
  EXPECT_EQ(pool.in_flight(), 0);
  std::set<int64_t> ids;
  for (const EvaluationDone& done : all) {
    ids.insert(done.candidate_id);
    EXPECT_EQ(done.seed, static_cast<uint64_t>(100 + done.candidate_id));
    ASSERT_TRUE(done.evaluation.ok()) << done.evaluation.status();
    EXPECT_EQ(done.evaluation->outcome, Outcome::kOk);
    EXPECT_EQ(done.evaluation->fitness, 1.0);
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3}));
}

TEST_F(EvaluationPoolTest, NeverMoreJobsThanWorkers) {
  SlowSandbox sandbox({.hold = absl::Milliseconds(20)});
  evaluator::Evaluator evaluator = MakeEvaluator(sandbox);
  EvaluationPool pool(evaluator, 2);
  for (int64_t id = 1; id <= 8; ++id) pool.Submit(Request(id));
  std::vector<EvaluationDone> all = Collect(pool, 8);
  EXPECT_EQ(all.size(), 8u);
  EXPECT_LE(sandbox.max_active(), 2);
  EXPECT_EQ(sandbox.started(), 8);
}

TEST_F(EvaluationPoolTest, WaitTimesOutWhenNothingFinishes) {
  SlowSandbox sandbox({});
  evaluator::Evaluator evaluator = MakeEvaluator(sandbox);
  EvaluationPool pool(evaluator, 1);
  EXPECT_FALSE(pool.Wait(absl::Milliseconds(20)).has_value());
}

TEST_F(EvaluationPoolTest, CancelAllKillsRunningJobsAndEveryRequestStillCompletes) {
  // Two workers, five requests: two run (holding for up to 30s), three wait.
  SlowSandbox sandbox({.hold = absl::Seconds(30)});
  evaluator::Evaluator evaluator = MakeEvaluator(sandbox);
  EvaluationPool pool(evaluator, 2);
  for (int64_t id = 1; id <= 5; ++id) pool.Submit(Request(id));
  ASSERT_TRUE(sandbox.WaitForHolding(2, absl::Seconds(10)));
  const absl::Time start = absl::Now();
  pool.CancelAll();
  std::vector<EvaluationDone> all = Collect(pool, 5);
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));  // not the 30s hold
  ASSERT_EQ(all.size(), 5u);
  std::set<int64_t> ids;
  for (const EvaluationDone& done : all) {
    ids.insert(done.candidate_id);
    ASSERT_TRUE(done.evaluation.ok()) << done.evaluation.status();
    EXPECT_EQ(done.evaluation->outcome, Outcome::kKilled) << "candidate " << done.candidate_id;
    EXPECT_FALSE(done.evaluation->fitness.has_value());
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(pool.in_flight(), 0);
  EXPECT_FALSE(pool.Wait(absl::Milliseconds(10)).has_value());
}

TEST_F(EvaluationPoolTest, DestructorCancelsRunningJobs) {
  SlowSandbox sandbox({.hold = absl::Seconds(30)});
  evaluator::Evaluator evaluator = MakeEvaluator(sandbox);
  const absl::Time start = absl::Now();
  {
    EvaluationPool pool(evaluator, 2);
    for (int64_t id = 1; id <= 3; ++id) pool.Submit(Request(id));
    ASSERT_TRUE(sandbox.WaitForHolding(2, absl::Seconds(10)));
  }
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
}

}  // namespace
}  // namespace cambrian::orchestrator
