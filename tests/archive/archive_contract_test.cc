// The behaviour every Archive must have, run against the real SqliteArchive
// and the InMemoryArchive fake, so the fake cannot drift from the real thing.
#include <cmath>
#include <limits>
#include <memory>

#include "gtest/gtest.h"
#include "tests/archive/archive_factories.h"
#include "tests/archive/archive_test_util.h"

namespace cambrian::archive {
namespace {

using test::Options;
using test::SampleCandidate;
using test::SampleProgram;
using test::SampleRunInfo;
using test::ScoredResult;

template <typename Factory>
class ArchiveContractTest : public ::testing::Test {
 public:
  void SetUp() override {
    archive_ = factory_.Make(&clock_);
    ASSERT_NE(archive_, nullptr);
  }

  // Stores SampleProgram(n) and adds it as a candidate; returns the id.
  int64_t AddSample(int n) {
    auto hash = archive_->PutProgram(SampleProgram(n));
    EXPECT_TRUE(hash.ok()) << hash.status();
    auto id = archive_->AddCandidate(SampleCandidate(hash.value_or("")));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or(-1);
  }

  std::vector<int64_t> ListIds(const ListOptions& options) {
    std::vector<int64_t> ids;
    auto list = archive_->ListCandidates(options);
    EXPECT_TRUE(list.ok()) << list.status();
    for (const Candidate& c : list.value_or(std::vector<Candidate>())) ids.push_back(c.id);
    return ids;
  }

  Factory factory_;
  test::SettableClock clock_;
  std::unique_ptr<Archive> archive_;
};

TYPED_TEST_SUITE(ArchiveContractTest, test::Implementations);

TYPED_TEST(ArchiveContractTest, RunInfoIsSetOnce) {
  Archive& archive = *this->archive_;
  EXPECT_EQ(archive.GetRunInfo().status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(archive.SetRunInfo(SampleRunInfo("sideways")).code(),
            absl::StatusCode::kInvalidArgument);
  RunInfo info = SampleRunInfo("minimize");
  info.seed = std::numeric_limits<uint64_t>::max() - 5;  // does not fit a signed integer
  ASSERT_OK(archive.SetRunInfo(info));
  ASSERT_OK_AND_ASSIGN(RunInfo got, archive.GetRunInfo());
  EXPECT_EQ(got.task_name, "matmul");
  EXPECT_EQ(got.task_dir, "/tasks/matmul");
  EXPECT_EQ(got.trusted_hash, "abc123");
  EXPECT_EQ(got.config_json, R"({"islands":2})");
  EXPECT_EQ(got.seed, info.seed);
  EXPECT_EQ(got.goal, "minimize");
  EXPECT_LT(absl::AbsDuration(got.created_at - info.created_at), absl::Milliseconds(1));
  EXPECT_EQ(archive.SetRunInfo(info).code(), absl::StatusCode::kAlreadyExists);
}

TYPED_TEST(ArchiveContractTest, ProgramsAreContentAddressed) {
  Archive& archive = *this->archive_;
  const Program program = {{"a.txt", ""}, {"bin/blob", std::string("\0\x01\xff zero", 8)}};
  ASSERT_OK_AND_ASSIGN(std::string hash, archive.PutProgram(program));
  EXPECT_EQ(hash, ProgramHash(program));
  ASSERT_OK_AND_ASSIGN(std::string again, archive.PutProgram(program));
  EXPECT_EQ(again, hash);
  ASSERT_OK_AND_ASSIGN(Program got, archive.GetProgram(hash));
  EXPECT_EQ(got, program);
  ASSERT_OK_AND_ASSIGN(std::string empty_hash, archive.PutProgram(Program{}));
  ASSERT_OK_AND_ASSIGN(Program empty, archive.GetProgram(empty_hash));
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(archive.GetProgram("feed").status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(ArchiveContractTest, IdsCountUpAndProgramsDedup) {
  Archive& archive = *this->archive_;
  EXPECT_EQ(this->AddSample(1), 1);
  EXPECT_EQ(this->AddSample(2), 2);
  EXPECT_EQ(this->AddSample(3), 3);
  ASSERT_OK_AND_ASSIGN(int64_t count, archive.CountCandidates());
  EXPECT_EQ(count, 3);
  ASSERT_OK_AND_ASSIGN(std::optional<int64_t> found,
                       archive.FindCandidateByProgram(ProgramHash(SampleProgram(2))));
  EXPECT_EQ(found, 2);
  ASSERT_OK_AND_ASSIGN(std::optional<int64_t> missing,
                       archive.FindCandidateByProgram(ProgramHash(SampleProgram(9))));
  EXPECT_EQ(missing, std::nullopt);
  // The same program again is the same candidate, not a new one.
  EXPECT_EQ(archive.AddCandidate(SampleCandidate(ProgramHash(SampleProgram(2)))).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(archive.AddCandidate(SampleCandidate(ProgramHash(SampleProgram(9)))).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TYPED_TEST(ArchiveContractTest, AddCandidateKeepsLineageAndChecksParents) {
  Archive& archive = *this->archive_;
  this->AddSample(1);
  this->AddSample(2);
  ASSERT_OK_AND_ASSIGN(std::string hash, archive.PutProgram(SampleProgram(3)));
  NewCandidate child = SampleCandidate(hash);
  child.parent_id = 1;
  child.second_parent_id = 2;
  child.mutator = "crossover";
  child.island = 3;
  child.status = CandidateStatus::kPending;
  NewCandidate orphan = child;
  orphan.second_parent_id = 77;
  EXPECT_EQ(archive.AddCandidate(orphan).status().code(), absl::StatusCode::kInvalidArgument);
  NewCandidate done = child;
  done.status = CandidateStatus::kDone;
  EXPECT_EQ(archive.AddCandidate(done).status().code(), absl::StatusCode::kInvalidArgument);
  this->clock_.Set(absl::FromUnixSeconds(1'900'000'000));
  ASSERT_OK_AND_ASSIGN(int64_t id, archive.AddCandidate(child));
  EXPECT_EQ(id, 3);  // failed adds used no id
  ASSERT_OK_AND_ASSIGN(Candidate got, archive.GetCandidate(id));
  EXPECT_EQ(got.parent_id, 1);
  EXPECT_EQ(got.second_parent_id, 2);
  EXPECT_EQ(got.program_hash, hash);
  EXPECT_EQ(got.mutator, "crossover");
  EXPECT_EQ(got.description, "tweak");
  EXPECT_EQ(got.island, 3);
  EXPECT_EQ(got.status, CandidateStatus::kPending);
  EXPECT_EQ(got.outcome, std::nullopt);
  EXPECT_EQ(got.fitness, std::nullopt);
  EXPECT_EQ(got.finished_at, std::nullopt);
  EXPECT_LT(absl::AbsDuration(got.created_at - this->clock_.Now()), absl::Milliseconds(1));
  EXPECT_EQ(archive.GetCandidate(99).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(ArchiveContractTest, FinishCandidateStoresResultAndStages) {
  Archive& archive = *this->archive_;
  const int64_t id = this->AddSample(1);
  ASSERT_OK_AND_ASSIGN(std::vector<StageRecord> before, archive.GetStages(id));
  EXPECT_TRUE(before.empty());
  CandidateResult result = ScoredResult(12.5);
  result.metrics["tiny"] = 1e-300;
  result.metrics["third"] = 1.0 / 3.0;
  result.stages[1].outcome = Outcome::kOk;
  result.stages[1].term_signal = 0;
  ASSERT_OK(archive.FinishCandidate(id, result));
  ASSERT_OK_AND_ASSIGN(Candidate got, archive.GetCandidate(id));
  EXPECT_EQ(got.status, CandidateStatus::kDone);
  EXPECT_EQ(got.outcome, Outcome::kOk);
  EXPECT_EQ(got.metrics, result.metrics);  // doubles round-trip exactly
  EXPECT_EQ(got.fitness, 12.5);
  EXPECT_EQ(got.feedback, "fine");
  ASSERT_TRUE(got.finished_at.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<StageRecord> stages, archive.GetStages(id));
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].stage, "build");
  EXPECT_EQ(stages[1].stage, "bench");
  EXPECT_EQ(stages[1].wall_seconds, 2.25);
  EXPECT_EQ(stages[1].cpu_seconds, 2.0);
  EXPECT_EQ(stages[1].peak_rss_bytes, 1 << 20);
  EXPECT_EQ(stages[1].output_tail, "gflops=1\n");
  EXPECT_EQ(stages[1].detail, "ok");
  EXPECT_EQ(stages[1].seed, 7u);
  EXPECT_EQ(archive.FinishCandidate(id, result).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(archive.FinishCandidate(42, result).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(archive.GetStages(42).status().code(), absl::StatusCode::kNotFound);
}

TYPED_TEST(ArchiveContractTest, FinishCandidateRejectsBadResultsWithoutChange) {
  Archive& archive = *this->archive_;
  const int64_t id = this->AddSample(1);
  CandidateResult nan_metric = ScoredResult(1);
  nan_metric.metrics["bad"] = std::nan("");
  EXPECT_EQ(archive.FinishCandidate(id, nan_metric).code(), absl::StatusCode::kInvalidArgument);
  CandidateResult inf_fitness = ScoredResult(1);
  inf_fitness.fitness = std::numeric_limits<double>::infinity();
  EXPECT_EQ(archive.FinishCandidate(id, inf_fitness).code(), absl::StatusCode::kInvalidArgument);
  CandidateResult failed_with_fitness = ScoredResult(1);
  failed_with_fitness.outcome = Outcome::kTimeout;
  EXPECT_EQ(archive.FinishCandidate(id, failed_with_fitness).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(Candidate got, archive.GetCandidate(id));
  EXPECT_EQ(got.status, CandidateStatus::kRunning);
  // A failure is a result too: outcome, no fitness.
  CandidateResult timeout;
  timeout.outcome = Outcome::kTimeout;
  timeout.stages = {test::Stage("bench", Outcome::kTimeout)};
  timeout.stages[0].term_signal = 9;
  ASSERT_OK(archive.FinishCandidate(id, timeout));
  ASSERT_OK_AND_ASSIGN(got, archive.GetCandidate(id));
  EXPECT_EQ(got.outcome, Outcome::kTimeout);
  EXPECT_EQ(got.fitness, std::nullopt);
  ASSERT_OK_AND_ASSIGN(std::vector<StageRecord> stages, archive.GetStages(id));
  ASSERT_EQ(stages.size(), 1u);
  EXPECT_EQ(stages[0].outcome, Outcome::kTimeout);
  EXPECT_EQ(stages[0].term_signal, 9);
}

TYPED_TEST(ArchiveContractTest, RunStateTravelsWithResultsAndAlone) {
  Archive& archive = *this->archive_;
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> none, archive.GetRunState());
  EXPECT_EQ(none, std::nullopt);
  EXPECT_EQ(archive.SetRunState("[1, 2]").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(archive.SetRunState("{broken").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_OK(archive.SetRunState(R"({"islands": []})"));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> state, archive.GetRunState());
  EXPECT_EQ(state, R"({"islands": []})");
  // A result carries the state that it changed, stored with it or not at all.
  const int64_t id = this->AddSample(1);
  CandidateResult bad_state = ScoredResult(3);
  bad_state.run_state = "not json";
  EXPECT_EQ(archive.FinishCandidate(id, bad_state).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(Candidate still_running, archive.GetCandidate(id));
  EXPECT_EQ(still_running.status, CandidateStatus::kRunning);
  CandidateResult result = ScoredResult(3);
  result.run_state = R"({"evaluated": 1})";
  ASSERT_OK(archive.FinishCandidate(id, result));
  ASSERT_OK_AND_ASSIGN(state, archive.GetRunState());
  EXPECT_EQ(state, R"({"evaluated": 1})");
  // No state with a result leaves the stored one as it was.
  const int64_t second = this->AddSample(2);
  ASSERT_OK(archive.FinishCandidate(second, ScoredResult(4)));
  ASSERT_OK_AND_ASSIGN(state, archive.GetRunState());
  EXPECT_EQ(state, R"({"evaluated": 1})");
}

TYPED_TEST(ArchiveContractTest, StatusChanges) {
  Archive& archive = *this->archive_;
  const int64_t id = this->AddSample(1);
  ASSERT_OK(archive.SetCandidateStatus(id, CandidateStatus::kInterrupted));
  ASSERT_OK_AND_ASSIGN(Candidate got, archive.GetCandidate(id));
  EXPECT_EQ(got.status, CandidateStatus::kInterrupted);
  EXPECT_EQ(archive.SetCandidateStatus(id, CandidateStatus::kDone).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(archive.SetCandidateStatus(5, CandidateStatus::kRunning).code(),
            absl::StatusCode::kNotFound);
  // An interrupted candidate can be evaluated again on resume.
  ASSERT_OK(archive.FinishCandidate(id, ScoredResult(1)));
  EXPECT_EQ(archive.SetCandidateStatus(id, CandidateStatus::kRunning).code(),
            absl::StatusCode::kFailedPrecondition);
}

// Candidates 1..5 with fitness 3, none, 7, 1, 7.
template <typename T>
void AddRanked(T* test) {
  const std::optional<double> fitness[] = {3, std::nullopt, 7, 1, 7};
  for (int i = 0; i < 5; ++i) {
    const int64_t id = test->AddSample(i);
    CandidateResult result = ScoredResult(fitness[i].value_or(0));
    result.fitness = fitness[i];
    ASSERT_OK(test->archive_->FinishCandidate(id, result));
  }
}

TYPED_TEST(ArchiveContractTest, BestFirstMaximizeIsTheDefault) {
  AddRanked(this);
  EXPECT_EQ(this->ListIds({}), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(this->ListIds(Options(false, true)), (std::vector<int64_t>{3, 5, 1, 4, 2}));
  ASSERT_OK(this->archive_->SetRunInfo(SampleRunInfo("maximize")));
  EXPECT_EQ(this->ListIds(Options(false, true)), (std::vector<int64_t>{3, 5, 1, 4, 2}));
  EXPECT_EQ(this->ListIds(Options(true, true, 3)), (std::vector<int64_t>{3, 5, 1}));
}

TYPED_TEST(ArchiveContractTest, BestFirstMinimize) {
  ASSERT_OK(this->archive_->SetRunInfo(SampleRunInfo("minimize")));
  AddRanked(this);
  EXPECT_EQ(this->ListIds(Options(false, true)), (std::vector<int64_t>{4, 1, 3, 5, 2}));
  EXPECT_EQ(this->ListIds(Options(true, false)), (std::vector<int64_t>{1, 3, 4, 5}));
  EXPECT_EQ(this->ListIds(Options(false, false, 0)), std::vector<int64_t>{});
  EXPECT_EQ(this->archive_->ListCandidates(Options(false, false, -1)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(ArchiveContractTest, EventsNewestLimitOldestFirst) {
  Archive& archive = *this->archive_;
  ASSERT_OK(archive.AddEvent("run_started", "{}"));
  this->clock_.Set(absl::FromUnixSeconds(1'800'000'100));
  ASSERT_OK(archive.AddEvent("error", R"({"message":"disk full"})"));
  ASSERT_OK(archive.AddEvent("run_stopped", R"({"reason":"budget"})"));
  EXPECT_EQ(archive.AddEvent("bad", "[1, 2]").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(archive.AddEvent("bad", "{oops").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, archive.ListEvents(2));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].id, 2);
  EXPECT_EQ(events[0].kind, "error");
  EXPECT_EQ(events[0].data_json, R"({"message":"disk full"})");
  EXPECT_LT(absl::AbsDuration(events[0].time - this->clock_.Now()), absl::Milliseconds(1));
  EXPECT_EQ(events[1].kind, "run_stopped");
  ASSERT_OK_AND_ASSIGN(events, archive.ListEvents(100));
  EXPECT_EQ(events.size(), 3u);
  EXPECT_EQ(archive.ListEvents(-1).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cambrian::archive
