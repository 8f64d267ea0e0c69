// The controller's islands, patience and resume over the real ProcessSandbox
// and the quadratic task: a resumed run continues the same islands, counters
// and budgets, and re-runs only what was in flight.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "nlohmann/json.hpp"
#include "sandbox/process_sandbox.h"
#include "tests/orchestrator/controller_fixture.h"

namespace cambrian::orchestrator {
namespace {

using ::testing::HasSubstr;

nlohmann::json StoredState(archive::Archive& archive) {
  absl::StatusOr<std::optional<std::string>> text = archive.GetRunState();
  EXPECT_TRUE(text.ok() && text->has_value());
  if (!text.ok() || !text->has_value()) return nlohmann::json();
  return nlohmann::json::parse(**text);
}

TEST_F(ControllerTest, ChildrenTakeIslandsInTurnAndBestsMigrate) {
  config_.max_evaluations = 31;
  config_.workers = 1;
  config_.population.islands = 3;
  config_.population.migration_interval = 6;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  std::map<int, int> per_island;
  for (const archive::Candidate& c : Candidates()) ++per_island[c.island];
  EXPECT_EQ(per_island, (std::map<int, int>{{0, 11}, {1, 10}, {2, 10}}));  // the seed is on 0

  nlohmann::json state = StoredState(*archive_);
  EXPECT_EQ(state["evaluated"], 31);
  EXPECT_EQ(state["population"]["migrations"], 5);
  ASSERT_EQ(state["population"]["islands"].size(), 3u);
  // Every island has a best: its own children's or a migrant.
  for (const nlohmann::json& island : state["population"]["islands"]) {
    EXPECT_FALSE(island["best"].is_null());
  }
  EXPECT_EQ(state["population"]["elites"][0][0], *summary->best_id);
}

TEST_F(ControllerTest, KnobFeaturesSpreadAnIslandOverCells) {
  task_.features = {FeatureSpec{"knob:X", 21, 0, 21}};
  config_.max_evaluations = 24;
  config_.workers = 1;
  config_.population.islands = 1;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  std::set<double> xs;
  for (const archive::Candidate& c : Candidates()) xs.insert(c.metrics.at("x"));
  nlohmann::json island = StoredState(*archive_)["population"]["islands"][0];
  // One cell per value of the knob X seen: the grid keeps each niche's best.
  EXPECT_EQ(island["grid"].size(), xs.size());
  std::map<int64_t, double> x_of;
  for (const archive::Candidate& c : Candidates()) x_of[c.id] = c.metrics.at("x");
  for (const nlohmann::json& elite : island["grid"]) {
    // [id, fitness, cell]: the cell is the elite's own X.
    EXPECT_EQ(elite[2][0].get<int>(), x_of.at(elite[0].get<int64_t>()));
  }
  EXPECT_GT(island["grid"].size(), 3u);
}

TEST_F(ControllerTest, ResumeContinuesTheSameRunToItsBudget) {
  config_.max_evaluations = 12;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  nlohmann::json before = StoredState(*archive_);
  config_.max_evaluations = 25;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox, /*resume=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->evaluated, 25);  // counters continue from the recorded run
  std::vector<archive::Candidate> all = Candidates();
  ASSERT_EQ(all.size(), 25u);
  std::set<std::string> hashes;
  for (const archive::Candidate& c : all) {
    EXPECT_EQ(c.status, archive::CandidateStatus::kDone);
    EXPECT_TRUE(hashes.insert(c.program_hash).second) << "program evaluated twice: #" << c.id;
  }
  nlohmann::json after = StoredState(*archive_);
  EXPECT_EQ(after["evaluated"], 25);
  EXPECT_GE(after["elapsed_seconds"].get<double>(), before["elapsed_seconds"].get<double>());
  EXPECT_EQ(after["population"]["islands"].size(), before["population"]["islands"].size());
}

TEST_F(ControllerTest, ResumeReRunsOnlyWhatWasInFlight) {
  config_.max_evaluations = 8;
  config_.workers = 1;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  // A ninth candidate that a killed controller had submitted.
  ASSERT_TRUE(archive_->PutProgram({{"params.sh", "X=13\nY=4\n"}}).ok());
  archive::NewCandidate orphan;
  orphan.parent_id = 1;
  orphan.program_hash = ProgramHash({{"params.sh", "X=13\nY=4\n"}});
  orphan.mutator = "knob";
  orphan.island = 2;
  ASSERT_TRUE(archive_->AddCandidate(orphan).ok());
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox, /*resume=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("evaluation budget of 8 reached"));
  std::vector<archive::Candidate> all = Candidates();
  ASSERT_EQ(all.size(), 9u);  // nothing new: the budget was spent; #9 re-ran
  EXPECT_EQ(all[8].status, archive::CandidateStatus::kDone);
  EXPECT_EQ(all[8].fitness, 0.0);
  EXPECT_EQ(summary->best_id, 9);
  EXPECT_EQ(StoredState(*archive_)["evaluated"], 9);
}

// A finished run of 8 and a ninth candidate that a stopped controller left
// with `status`, and the stored count of earlier deaths under it.
class ResumeAfterDeathTest : public ControllerTest {
 protected:
  void RunThenOrphan(archive::CandidateStatus status, int deaths) {
    config_.max_evaluations = 8;
    config_.workers = 1;
    ASSERT_TRUE(RunSearch(sandbox_).ok());
    const Program program = {{"params.sh", "X=13\nY=4\n"}};
    ASSERT_TRUE(archive_->PutProgram(program).ok());
    archive::NewCandidate orphan;
    orphan.parent_id = 1;
    orphan.program_hash = ProgramHash(program);
    orphan.mutator = "knob";
    orphan.island = 2;
    orphan.status = status;
    ASSERT_TRUE(archive_->AddCandidate(orphan).ok());
    if (deaths == 0) return;
    nlohmann::json state = StoredState(*archive_);
    state["crashes"] = nlohmann::json::object({{"9", deaths}});
    ASSERT_TRUE(archive_->SetRunState(state.dump()).ok());
  }
  // Resumes; the ninth candidate as it ends up.
  archive::Candidate Resume() {
    absl::StatusOr<RunSummary> summary = RunSearch(sandbox_, /*resume=*/true);
    EXPECT_TRUE(summary.ok()) << summary.status();
    std::vector<archive::Candidate> all = Candidates();
    EXPECT_EQ(all.size(), 9u);
    return all.size() == 9 ? all[8] : archive::Candidate{};
  }
  sandbox::ProcessSandbox sandbox_;
};

// A candidate in flight at two controller deaths may be what kills the
// controller: the first death re-runs it (and counts), the second records it
// as controller_crash, so a resume always makes progress.
TEST_F(ResumeAfterDeathTest, ACandidateInFlightAtTwoDeathsIsRecordedNotReRun) {
  RunThenOrphan(archive::CandidateStatus::kRunning, 1);
  archive::Candidate ninth = Resume();
  EXPECT_EQ(ninth.status, archive::CandidateStatus::kDone);
  EXPECT_EQ(ninth.outcome, Outcome::kControllerCrash);
  EXPECT_FALSE(ninth.fitness.has_value());
  EXPECT_THAT(ninth.feedback, HasSubstr("the controller died"));
  absl::StatusOr<std::vector<archive::StageRecord>> stages = archive_->GetStages(9);
  ASSERT_TRUE(stages.ok());
  EXPECT_TRUE(stages->empty()) << "it ran again";
  EXPECT_EQ(StoredState(*archive_)["evaluated"], 9);
  EXPECT_EQ(StoredState(*archive_)["crashes"]["9"], 2);
}

TEST_F(ResumeAfterDeathTest, AFirstDeathIsCountedBeforeTheReRun) {
  RunThenOrphan(archive::CandidateStatus::kRunning, 0);
  EXPECT_EQ(Resume().outcome, Outcome::kOk);
  EXPECT_EQ(StoredState(*archive_)["crashes"]["9"], 1);
}

// Stopped with Ctrl-C ("interrupted") is not a death: re-run, not counted.
TEST_F(ResumeAfterDeathTest, AStopWithCtrlCIsNotADeath) {
  RunThenOrphan(archive::CandidateStatus::kInterrupted, 1);
  EXPECT_EQ(Resume().outcome, Outcome::kOk);
  EXPECT_EQ(StoredState(*archive_)["crashes"]["9"], 1);
}

TEST_F(ControllerTest, TimeBudgetCountsEarlierSessions) {
  config_.max_evaluations = 6;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  double spent = StoredState(*archive_)["elapsed_seconds"].get<double>();
  ASSERT_GT(spent, 0);
  config_.max_evaluations = 100;
  config_.max_wall_time = absl::Seconds(spent);  // already used up
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox, /*resume=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("time budget"));
  EXPECT_EQ(Candidates().size(), 6u);
  EXPECT_GE(absl::ToDoubleSeconds(summary->elapsed), spent);
}

TEST_F(ControllerTest, PatienceStopsARunThatNoLongerImproves) {
  config_.max_evaluations = 500;
  config_.patience = 5;
  config_.workers = 1;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->stop_reason, HasSubstr("no new best in the last 5 evaluations"));
  std::vector<archive::Candidate> all = Candidates();
  ASSERT_GE(all.size(), 6u);
  ASSERT_LT(all.size(), 500u);
  // One worker: the last five finished in id order and none beat the best.
  for (size_t i = all.size() - 5; i < all.size(); ++i) {
    EXPECT_LT(*all[i].fitness, *summary->best_fitness + 1e-12) << "#" << all[i].id;
    EXPECT_NE(all[i].id, *summary->best_id);
  }
}

TEST_F(ControllerTest, StateFromAnotherIslandCountIsRefused) {
  config_.max_evaluations = 4;
  sandbox::ProcessSandbox sandbox;
  ASSERT_TRUE(RunSearch(sandbox).ok());
  config_.population.islands = 5;
  config_.max_evaluations = 8;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox, /*resume=*/true);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(summary.status().message(), HasSubstr("islands"));
  EXPECT_EQ(Candidates().size(), 4u);  // nothing recorded was touched
}

int CountEvents(archive::Archive& archive, const std::string& kind) {
  absl::StatusOr<std::vector<archive::Event>> events = archive.ListEvents(1000);
  EXPECT_TRUE(events.ok());
  int n = 0;
  for (const archive::Event& event : events.value_or(std::vector<archive::Event>{})) {
    n += event.kind == kind;
  }
  return n;
}

TEST_F(ControllerTest, TopCandidatesAreConfirmedOnMoreSeedsOnce) {
  task_.confirm = 2;
  task_.confirm_seeds = 2;
  config_.max_evaluations = 10;
  sandbox::ProcessSandbox sandbox;
  absl::StatusOr<RunSummary> summary = RunSearch(sandbox);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->confirmed.size(), 2u);
  const Confirmation& winner = summary->confirmed[0];
  EXPECT_EQ(winner.id, *summary->best_id);
  ASSERT_EQ(winner.fitness.size(), 3u);            // the recorded run and two more seeds
  EXPECT_EQ(winner.mean, *summary->best_fitness);  // the quadratic task is deterministic
  EXPECT_EQ(winner.spread, 0);
  EXPECT_GE(winner.mean, summary->confirmed[1].mean);
  EXPECT_EQ(CountEvents(*archive_, "confirm"), 4);
  EXPECT_EQ(Candidates().size(), 10u);  // confirmations are not candidates
  nlohmann::json state = StoredState(*archive_);
  EXPECT_EQ(state["confirmations"][std::to_string(winner.id)].size(), 2u);
  // A resume that adds no evaluation keeps the confirmations it has.
  summary = RunSearch(sandbox, /*resume=*/true);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->confirmed.size(), 2u);
  EXPECT_EQ(CountEvents(*archive_, "confirm"), 4);
}

}  // namespace
}  // namespace cambrian::orchestrator
