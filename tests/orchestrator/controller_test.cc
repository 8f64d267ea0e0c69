// The Controller end to end over the real ProcessSandbox and the quadratic
// task (milliseconds per evaluation): budgets, lineage, the edit policy,
// dedup, determinism, failing candidates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/file_util.h"
#include "mutators/edit_policy.h"
#include "sandbox/process_sandbox.h"
#include "tests/orchestrator/controller_fixture.h"
#include "tests/testing/fake_sandbox.h"

namespace cambrian::orchestrator {
namespace {

using ::testing::Contains;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST_F(ControllerTest, BudgetGivesExactlyThatManyFinishedCandidates) {
  config_.max_evaluations = 30;
  config_.crossover_rate = 0.5;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("evaluation budget of 30 reached"));
  EXPECT_EQ(summary->evaluated, 30);
  EXPECT_EQ(summary->failed, 0);
  EXPECT_EQ(summary->interrupted, 0);

  std::vector<archive::Candidate> all = Candidates();
  ASSERT_EQ(all.size(), 30u);
  std::set<std::string> mutators_used;
  for (const archive::Candidate& c : all) {
    EXPECT_EQ(c.status, archive::CandidateStatus::kDone) << "#" << c.id;
    EXPECT_EQ(c.outcome, Outcome::kOk) << "#" << c.id << ": " << c.feedback;
    EXPECT_TRUE(c.fitness.has_value()) << "#" << c.id;
    mutators_used.insert(c.mutator);
  }
  EXPECT_EQ(mutators_used, (std::set<std::string>{"seed", "knob", "crossover"}));

  const archive::Candidate& seed = all[0];
  EXPECT_EQ(seed.id, 1);
  EXPECT_EQ(seed.mutator, "seed");
  EXPECT_FALSE(seed.parent_id.has_value());
  EXPECT_EQ(seed.fitness, -(13.0 * 13.0) - 4.0 * 4.0);  // X=0, Y=0

  // The progress sink heard of every candidate and of the end.
  EXPECT_EQ(progress_.lines.size(), 30u);
  EXPECT_EQ(progress_.finished, 1);
  // Candidates finish in any order with two workers.
  EXPECT_THAT(progress_.lines, Contains(StartsWith("#1 ok fitness -185  <- seed: ")));
  EXPECT_EQ(progress_.last.evaluated, 30);
}

// The mean rank (0 = worst, 1 = best) of each child's parent among the
// candidates finished before the child was made (one worker: all earlier).
double MeanParentPercentile(const std::vector<archive::Candidate>& all) {
  double sum = 0;
  int children = 0;
  for (size_t i = 2; i < all.size(); ++i) {
    const archive::Candidate& child = all[i];
    if (!child.parent_id || !all[*child.parent_id - 1].fitness) continue;
    double parent = *all[*child.parent_id - 1].fitness;
    int below = 0, total = 0;
    for (size_t j = 0; j < i; ++j) {
      if (!all[j].fitness) continue;
      ++total;
      if (*all[j].fitness < parent) ++below;
    }
    sum += static_cast<double>(below) / std::max(1, total - 1);
    ++children;
  }
  return children == 0 ? 0 : sum / children;
}

TEST_F(ControllerTest, RandomStrategyPicksParentsBlindToFitness) {
  config_.max_evaluations = 60;
  config_.workers = 1;
  config_.crossover_rate = 0;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  double evolve = MeanParentPercentile(Candidates());

  config_.strategy = "random";
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->evaluated, 60);
  double random = MeanParentPercentile(Candidates());
  // Tournaments of 3 favour the best (expected rank 0.75); uniform draws do
  // not (0.5).
  EXPECT_GT(evolve, 0.65);
  EXPECT_LT(random, 0.62);
}

TEST_F(ControllerTest, ChildrenAreNewAllowedEditsOfTheirParents) {
  config_.max_evaluations = 30;
  config_.crossover_rate = 0.5;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());

  std::vector<archive::Candidate> all = Candidates();
  std::set<std::string> hashes;
  std::map<int64_t, Program> programs;
  for (const archive::Candidate& c : all) {
    EXPECT_TRUE(hashes.insert(c.program_hash).second) << "#" << c.id << " repeats a program";
    absl::StatusOr<Program> program = archive_->GetProgram(c.program_hash);
    ASSERT_TRUE(program.ok()) << program.status();
    programs[c.id] = *program;
  }
  for (const archive::Candidate& c : all) {
    if (c.id == 1) continue;
    ASSERT_TRUE(c.parent_id.has_value()) << "#" << c.id;
    EXPECT_LT(*c.parent_id, c.id);
    EXPECT_NE(programs[c.id], programs[*c.parent_id]);
    absl::Status allowed =
        mutators::CheckEditAllowed(programs[*c.parent_id], programs[c.id], task_.editable);
    EXPECT_TRUE(allowed.ok()) << "#" << c.id << ": " << allowed;
    EXPECT_FALSE(c.description.empty()) << "#" << c.id;
    if (c.mutator == "crossover") {
      ASSERT_TRUE(c.second_parent_id.has_value()) << "#" << c.id;
      EXPECT_NE(*c.second_parent_id, *c.parent_id);
      EXPECT_LT(*c.second_parent_id, c.id);
    } else {
      EXPECT_FALSE(c.second_parent_id.has_value()) << "#" << c.id;
    }
  }
}

TEST_F(ControllerTest, SummaryBestIsTheArchiveBest) {
  config_.max_evaluations = 25;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  absl::StatusOr<std::vector<archive::Candidate>> best = archive_->ListCandidates(
      archive::ListOptions{.scored_only = true, .best_first = true, .limit = 1});
  ASSERT_TRUE(best.ok());
  ASSERT_EQ(best->size(), 1u);
  ASSERT_TRUE(summary->best_fitness.has_value());
  EXPECT_EQ(*summary->best_fitness, *best->front().fitness);
  absl::StatusOr<archive::Candidate> named = archive_->GetCandidate(*summary->best_id);
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->fitness, summary->best_fitness);
  // The search improves on the seed's -185 within 25 evaluations.
  EXPECT_GT(*summary->best_fitness, -185.0);
  EXPECT_EQ(progress_.last.best_fitness, summary->best_fitness);
}

TEST_F(ControllerTest, SameSeedAndOneWorkerReproduceTheRun) {
  config_.max_evaluations = 15;
  config_.workers = 1;
  config_.seed = 42;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  std::vector<std::string> first = HashesInIdOrder();
  ASSERT_TRUE(RunSearch(sandbox).ok());
  std::vector<std::string> second = HashesInIdOrder();
  ASSERT_EQ(first.size(), 15u);
  EXPECT_EQ(first, second);

  config_.seed = 43;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  EXPECT_NE(HashesInIdOrder(), first);
}

TEST_F(ControllerTest, FailingStageIsRecordedAndTheRunGoesOn) {
  testing::FakeSandbox sandbox;
  sandbox.On("score.sh", testing::Ends(Outcome::kRuntimeError, "exit status 1"));
  config_.max_evaluations = 8;
  config_.seed_may_fail = true;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("evaluation budget"));
  EXPECT_EQ(summary->evaluated, 8);
  EXPECT_EQ(summary->failed, 8);
  EXPECT_FALSE(summary->best_id.has_value());
  std::vector<archive::Candidate> all = Candidates();
  ASSERT_EQ(all.size(), 8u);
  for (const archive::Candidate& c : all) {
    EXPECT_EQ(c.status, archive::CandidateStatus::kDone);
    EXPECT_EQ(c.outcome, Outcome::kRuntimeError);
    EXPECT_FALSE(c.fitness.has_value());
    EXPECT_THAT(c.feedback, HasSubstr("score"));
    absl::StatusOr<std::vector<archive::StageRecord>> stages = archive_->GetStages(c.id);
    ASSERT_TRUE(stages.ok());
    ASSERT_EQ(stages->size(), 2u);
    EXPECT_EQ((*stages)[0].outcome, Outcome::kOk);
    EXPECT_EQ((*stages)[1].stage, "score");
    EXPECT_EQ((*stages)[1].outcome, Outcome::kRuntimeError);
  }
  EXPECT_THAT(progress_.lines, Each(HasSubstr("runtime_error at stage 'score'")));
}

// Issue 15: a failing seed let the run go on to fail every child the same
// way, and exit 0.
TEST_F(ControllerTest, AFailingSeedStopsTheRunWithItsReason) {
  testing::FakeSandbox sandbox;
  sandbox.On("score.sh", testing::Ends(Outcome::kRuntimeError, "exit status 1"));
  config_.max_evaluations = 8;
  config_.workers = 1;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->stop_reason, "the seed failed");
  EXPECT_THAT(summary->seed_failure, HasSubstr("the seed #1 failed (runtime_error)"));
  EXPECT_THAT(summary->seed_failure, HasSubstr("stage 'score'"));
  EXPECT_LE(Candidates().size(), 2u);  // the seed, and at most a child already out
}

TEST_F(ControllerTest, FailingSeedStillLetsChildrenSucceed) {
  // The scorer rejects x = 0, so the seed (X=0) fails and children that
  // change X pass.
  std::filesystem::path dir = CopyQuadraticTask();
  absl::StatusOr<std::string> score = ReadFile(dir / "harness" / "score.sh");
  ASSERT_TRUE(score.ok());
  ASSERT_TRUE(WriteFile(dir / "harness" / "score.sh",
                        *score + "[ \"$1\" != 0 ] || { echo 'x must not be 0'; exit 1; }\n")
                  .ok());
  LoadTaskFrom(dir);
  config_.max_evaluations = 12;
  config_.workers = 1;
  config_.seed_may_fail = true;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  std::vector<archive::Candidate> all = Candidates();
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all[0].mutator, "seed");
  EXPECT_EQ(all[0].status, archive::CandidateStatus::kDone);
  EXPECT_EQ(all[0].outcome, Outcome::kRuntimeError);
  int ok = 0;
  for (const archive::Candidate& c : all) ok += c.outcome == Outcome::kOk;
  EXPECT_GT(ok, 0);
  EXPECT_EQ(summary->failed, 12 - ok);
  ASSERT_TRUE(summary->best_id.has_value());
  EXPECT_NE(*summary->best_id, 1);
}

TEST_F(ControllerTest, StopsWhenNothingNewCanBeProposed) {
  // One knob with two values: the seed and one child, then only duplicates.
  std::filesystem::path dir = CopyQuadraticTask();
  ASSERT_TRUE(WriteFile(dir / "program" / "params.sh",
                        "# EVOLVE-BLOCK-START\nX=0  # @knob choices=0,1\nY=0\n"
                        "# EVOLVE-BLOCK-END\n")
                  .ok());
  LoadTaskFrom(dir);
  config_.max_evaluations = 20;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("no new candidate could be proposed"));
  EXPECT_EQ(Candidates().size(), 2u);
  EXPECT_GT(summary->duplicate_proposals, 0);
}

TEST_F(ControllerTest, ProgramWithoutKnobsEvaluatesOnlyTheSeed) {
  std::filesystem::path dir = CopyQuadraticTask();
  ASSERT_TRUE(WriteFile(dir / "program" / "params.sh", "X=13\nY=4\n").ok());
  LoadTaskFrom(dir);
  config_.max_evaluations = 20;
  config_.proposal_attempts = 10;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("no new candidate"));
  EXPECT_EQ(summary->evaluated, 1);
  EXPECT_EQ(summary->best_fitness, 0.0);  // the optimum
  EXPECT_GE(summary->rejected_proposals, 10);
}

TEST_F(ControllerTest, BrokenSandboxIsAHarnessError) {
  testing::FakeSandbox sandbox;
  testing::FakeJob broken;
  broken.error = absl::InternalError("fork failed");
  sandbox.On("score.sh", broken);
  config_.workers = 1;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_FALSE(summary.ok());
  EXPECT_THAT(std::string(summary.status().message()), HasSubstr("evaluating candidate #1"));
  EXPECT_THAT(std::string(summary.status().message()), HasSubstr("fork failed"));
  absl::StatusOr<archive::Candidate> seed = archive_->GetCandidate(1);
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->status, archive::CandidateStatus::kInterrupted);
}

TEST(EvaluationSeedTest, StableDistinctAndSmall) {
  EXPECT_EQ(EvaluationSeed(1, 5), EvaluationSeed(1, 5));
  std::set<uint64_t> seen;
  for (uint64_t run_seed : {1, 2}) {
    for (int64_t id = 1; id <= 200; ++id) {
      uint64_t seed = EvaluationSeed(run_seed, id);
      EXPECT_LT(seed, uint64_t{1} << 47);
      seen.insert(seed);
    }
  }
  EXPECT_EQ(seen.size(), 400u);
}

TEST(ToCandidateResultTest, KeepsNoteFeedbackAndStages) {
  evaluator::Evaluation evaluation;
  evaluation.outcome = Outcome::kWrongAnswer;
  evaluation.metrics = {{"x", 1}};
  evaluation.note = "stage 'score': pass_if failed";
  evaluation.feedback = "try harder";
  evaluator::StageResult stage;
  stage.name = "score";
  stage.outcome = Outcome::kWrongAnswer;
  stage.note = "pass_if failed";
  stage.seed = 7;
  stage.job.exit_code = 0;
  stage.job.detail = "exited 0";
  stage.job.output_tail = "hello";
  evaluation.stages.push_back(stage);

  archive::CandidateResult result = ToCandidateResult(evaluation);
  EXPECT_EQ(result.outcome, Outcome::kWrongAnswer);
  EXPECT_EQ(result.metrics, evaluation.metrics);
  EXPECT_FALSE(result.fitness.has_value());
  EXPECT_EQ(result.feedback, "stage 'score': pass_if failed\ntry harder");
  ASSERT_EQ(result.stages.size(), 1u);
  EXPECT_EQ(result.stages[0].stage, "score");
  EXPECT_EQ(result.stages[0].outcome, Outcome::kWrongAnswer);
  EXPECT_EQ(result.stages[0].detail, "pass_if failed; exited 0");
  EXPECT_EQ(result.stages[0].output_tail, "hello");
  EXPECT_EQ(result.stages[0].seed, 7u);

  evaluation.feedback.clear();
  EXPECT_EQ(ToCandidateResult(evaluation).feedback, "stage 'score': pass_if failed");
  evaluation.note.clear();
  evaluation.feedback = "only feedback";
  EXPECT_EQ(ToCandidateResult(evaluation).feedback, "only feedback");
}

}  // namespace
}  // namespace cambrian::orchestrator
