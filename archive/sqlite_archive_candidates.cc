// SqliteArchive: candidates and their evaluation stages.
#include "absl/strings/str_cat.h"
#include "archive/archive_checks.h"
#include "archive/codec.h"
#include "archive/sqlite_archive.h"
#include "archive/sqlite_db.h"
#include "common/absl_compat.h"
#include "common/status_macros.h"

namespace cambrian::archive {

using internal::Db;
using internal::Statement;

namespace {

constexpr char kCandidateColumns[] =
    "id, parent_id, second_parent_id, program_hash, mutator, description, island, status, "
    "outcome, metrics, fitness, feedback, created_at, finished_at, llm_call_id, objectives";

// Reads one row selected with kCandidateColumns, in that order.
absl::StatusOr<Candidate> ReadCandidate(const Statement& row) {
  Candidate c;
  c.id = row.Int64(0);
  c.parent_id = row.OptionalInt64(1);
  c.second_parent_id = row.OptionalInt64(2);
  c.program_hash = row.Text(3);
  c.mutator = row.Text(4);
  c.description = row.Text(5);
  c.island = static_cast<int>(row.Int64(6));
  const std::optional<CandidateStatus> status = ParseCandidateStatus(row.Text(7));
  if (!status.has_value()) {
    return absl::DataLossError(
        absl::StrCat("candidate ", c.id, " has unknown status \"", row.Text(7), "\""));
  }
  c.status = *status;
  if (const std::optional<std::string> outcome = row.OptionalText(8)) {
    c.outcome = ParseOutcome(*outcome);
    if (!c.outcome.has_value()) {
      return absl::DataLossError(
          absl::StrCat("candidate ", c.id, " has unknown outcome \"", *outcome, "\""));
    }
  }
  absl::StatusOr<Metrics> metrics = internal::DecodeMetrics(row.Text(9));
  if (!metrics.ok()) return Annotate(metrics.status(), absl::StrCat("candidate ", c.id));
  c.metrics = *std::move(metrics);
  c.fitness = row.OptionalDouble(10);
  c.feedback = row.Text(11);
  c.created_at = internal::FromUnixSeconds(row.Double(12));
  if (const std::optional<double> finished = row.OptionalDouble(13)) {
    c.finished_at = internal::FromUnixSeconds(*finished);
  }
  c.llm_call_id = row.OptionalInt64(14);
  absl::StatusOr<Metrics> objectives = internal::DecodeMetrics(row.Text(15));
  if (!objectives.ok()) {
    return Annotate(objectives.status(), absl::StrCat("candidate ", c.id, " objectives"));
  }
  c.objectives = *std::move(objectives);
  return c;
}

// The candidate's status; NotFound if there is no such candidate.
absl::StatusOr<CandidateStatus> StatusOf(Db& db, int64_t id) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                            db.Prepare("SELECT status FROM candidates WHERE id = ?"));
  find.Bind(1, id);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("no candidate with id ", id));
  const std::optional<CandidateStatus> status = ParseCandidateStatus(find.Text(0));
  if (!status.has_value()) {
    return absl::DataLossError(absl::StrCat("candidate ", id, " has unknown status"));
  }
  return *status;
}

template <typename Key>
absl::StatusOr<bool> Exists(Db& db, const char* sql, const Key& key) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find, db.Prepare(sql));
  find.Bind(1, key);
  return find.Step();
}

// The rules of AddCandidate that need the database.
absl::Status CheckReferences(Db& db, const NewCandidate& candidate) {
  CAMBRIAN_ASSIGN_OR_RETURN(const bool stored, Exists(db, "SELECT 1 FROM programs WHERE hash = ?",
                                                      candidate.program_hash));
  if (!stored) {
    return absl::FailedPreconditionError(
        absl::StrCat("program ", candidate.program_hash, " is not stored; PutProgram it first"));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                            db.Prepare("SELECT id FROM candidates WHERE program_hash = ?"));
  find.Bind(1, candidate.program_hash);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool taken, find.Step());
  if (taken) {
    return absl::AlreadyExistsError(
        absl::StrCat("program ", candidate.program_hash, " is already candidate ", find.Int64(0)));
  }
  for (const auto& parent : {candidate.parent_id, candidate.second_parent_id}) {
    if (!parent.has_value()) continue;
    absl::StatusOr<CandidateStatus> status = StatusOf(db, *parent);
    if (absl::IsNotFound(status.status())) {
      return absl::InvalidArgumentError(absl::StrCat("parent id ", *parent, " names no candidate"));
    }
    CAMBRIAN_RETURN_IF_ERROR(status.status());
  }
  if (candidate.llm_call_id.has_value()) {
    CAMBRIAN_ASSIGN_OR_RETURN(const bool exists, Exists(db, "SELECT 1 FROM llm_calls WHERE id = ?",
                                                        *candidate.llm_call_id));
    if (!exists) {
      return absl::InvalidArgumentError(
          absl::StrCat("llm call id ", *candidate.llm_call_id, " names no LLM call"));
    }
  }
  return absl::OkStatus();
}

// True if the run minimizes fitness; a run without a runs row maximizes.
absl::StatusOr<bool> IsMinimizeRun(Db& db) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find, db.Prepare("SELECT goal FROM runs WHERE id = 1"));
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  return found && find.Text(0) == "minimize";
}

absl::Status InsertStage(Db& db, int64_t id, int index, const StageRecord& stage) {
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO evaluations (candidate_id, stage_index, stage, outcome, exit_code, "
                 "term_signal, wall_s, cpu_s, peak_rss_bytes, output_tail, detail, seed) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, id).Bind(2, index).Bind(3, stage.stage).Bind(4, OutcomeName(stage.outcome));
  insert.Bind(5, stage.exit_code).Bind(6, stage.term_signal).Bind(7, stage.wall_seconds);
  insert.Bind(8, stage.cpu_seconds).Bind(9, stage.peak_rss_bytes).Bind(10, stage.output_tail);
  insert.Bind(11, stage.detail).Bind(12, static_cast<int64_t>(stage.seed));
  return insert.Run();
}

absl::Status UpsertRunState(Db& db, const std::string& state, absl::Time now) {
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement upsert, db.Prepare("INSERT INTO run_state (id, state, updated_at) VALUES (1, ?, ?) "
                                   "ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
                                   "updated_at = excluded.updated_at"));
  upsert.Bind(1, state).Bind(2, internal::ToUnixSeconds(now));
  return upsert.Run();
}

}  // namespace

absl::StatusOr<std::optional<int64_t>> SqliteArchive::FindCandidateByProgram(
    const std::string& program_hash) {
  absl::MutexLock lock(&mu_);
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                            db_->Prepare("SELECT id FROM candidates WHERE program_hash = ?"));
  find.Bind(1, program_hash);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return std::optional<int64_t>();
  return std::optional<int64_t>(find.Int64(0));
}

absl::StatusOr<int64_t> SqliteArchive::AddCandidate(const NewCandidate& candidate) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckNewCandidate(candidate));
  absl::MutexLock lock(&mu_);
  int64_t id = 0;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/true, [&]() -> absl::Status {
    CAMBRIAN_RETURN_IF_ERROR(CheckReferences(*db_, candidate));
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO candidates (parent_id, second_parent_id, program_hash, mutator, "
                     "description, island, status, created_at, llm_call_id) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, candidate.parent_id).Bind(2, candidate.second_parent_id);
    insert.Bind(3, candidate.program_hash).Bind(4, candidate.mutator);
    insert.Bind(5, candidate.description).Bind(6, candidate.island);
    insert.Bind(7, CandidateStatusName(candidate.status));
    insert.Bind(8, internal::ToUnixSeconds(Now())).Bind(9, candidate.llm_call_id);
    CAMBRIAN_RETURN_IF_ERROR(insert.Run());
    id = db_->LastInsertRowId();
    return absl::OkStatus();
  }));
  return id;
}

absl::Status SqliteArchive::FinishCandidate(int64_t id, const CandidateResult& result) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckCandidateResult(result));
  CAMBRIAN_ASSIGN_OR_RETURN(const std::string metrics, internal::EncodeMetrics(result.metrics));
  CAMBRIAN_ASSIGN_OR_RETURN(const std::string objectives,
                            internal::EncodeMetrics(result.objectives));
  absl::MutexLock lock(&mu_);
  return db_->Transaction(/*write=*/true, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(const CandidateStatus status, StatusOf(*db_, id));
    if (status == CandidateStatus::kDone) {
      return absl::FailedPreconditionError(absl::StrCat("candidate ", id, " is already done"));
    }
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement update,
        db_->Prepare("UPDATE candidates SET status = 'done', outcome = ?, metrics = ?, "
                     "fitness = ?, feedback = ?, finished_at = ?, objectives = ? WHERE id = ?"));
    update.Bind(1, OutcomeName(result.outcome)).Bind(2, metrics).Bind(3, result.fitness);
    update.Bind(4, result.feedback).Bind(5, internal::ToUnixSeconds(Now()));
    update.Bind(6, objectives).Bind(7, id);
    CAMBRIAN_RETURN_IF_ERROR(update.Run());
    for (size_t i = 0; i < result.stages.size(); ++i) {
      CAMBRIAN_RETURN_IF_ERROR(InsertStage(*db_, id, static_cast<int>(i), result.stages[i]));
    }
    if (result.run_state.empty()) return absl::OkStatus();
    return UpsertRunState(*db_, result.run_state, Now());
  });
}

absl::Status SqliteArchive::SetRunState(const std::string& state_json) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckRunState(state_json));
  absl::MutexLock lock(&mu_);
  return UpsertRunState(*db_, state_json, Now());
}

absl::StatusOr<std::optional<std::string>> SqliteArchive::GetRunState() {
  absl::MutexLock lock(&mu_);
  CAMBRIAN_ASSIGN_OR_RETURN(Statement select,
                            db_->Prepare("SELECT state FROM run_state WHERE id = 1"));
  CAMBRIAN_ASSIGN_OR_RETURN(const bool row, select.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(select.Text(0));
}

absl::Status SqliteArchive::SetCandidateStatus(int64_t id, CandidateStatus status) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckStatusChange(status));
  absl::MutexLock lock(&mu_);
  return db_->Transaction(/*write=*/true, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(const CandidateStatus current, StatusOf(*db_, id));
    if (current == CandidateStatus::kDone) {
      return absl::FailedPreconditionError(absl::StrCat("candidate ", id, " is already done"));
    }
    CAMBRIAN_ASSIGN_OR_RETURN(Statement update,
                              db_->Prepare("UPDATE candidates SET status = ? WHERE id = ?"));
    update.Bind(1, CandidateStatusName(status)).Bind(2, id);
    return update.Run();
  });
}

absl::StatusOr<Candidate> SqliteArchive::GetCandidate(int64_t id) {
  absl::MutexLock lock(&mu_);
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement find,
      db_->Prepare(absl::StrCat("SELECT ", kCandidateColumns, " FROM candidates WHERE id = ?")));
  find.Bind(1, id);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("no candidate with id ", id));
  return ReadCandidate(find);
}

absl::StatusOr<std::vector<Candidate>> SqliteArchive::ListCandidates(const ListOptions& options) {
  if (options.limit.has_value()) CAMBRIAN_RETURN_IF_ERROR(CheckLimit(*options.limit));
  absl::MutexLock lock(&mu_);
  std::vector<Candidate> candidates;
  // One read transaction: the goal and the rows come from the same snapshot.
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/false, [&]() -> absl::Status {
    std::string sql = absl::StrCat("SELECT ", kCandidateColumns, " FROM candidates");
    if (options.scored_only) absl::StrAppend(&sql, " WHERE fitness IS NOT NULL");
    if (options.best_first) {
      CAMBRIAN_ASSIGN_OR_RETURN(const bool minimize, IsMinimizeRun(*db_));
      // Explicit NULLS LAST in both directions lets SQLite walk
      // candidates_by_fitness instead of sorting the whole table.
      absl::StrAppend(&sql, " ORDER BY fitness ", minimize ? "ASC" : "DESC", " NULLS LAST, id");
    } else {
      absl::StrAppend(&sql, " ORDER BY id");
    }
    absl::StrAppend(&sql, " LIMIT ?");  // -1: no limit
    CAMBRIAN_ASSIGN_OR_RETURN(Statement select, db_->Prepare(sql));
    select.Bind(1, options.limit.has_value() ? int64_t{*options.limit} : int64_t{-1});
    while (true) {
      CAMBRIAN_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return absl::OkStatus();
      CAMBRIAN_ASSIGN_OR_RETURN(Candidate candidate, ReadCandidate(select));
      candidates.push_back(std::move(candidate));
    }
  }));
  return candidates;
}

absl::StatusOr<int64_t> SqliteArchive::CountCandidates() {
  absl::MutexLock lock(&mu_);
  CAMBRIAN_ASSIGN_OR_RETURN(Statement count, db_->Prepare("SELECT count(*) FROM candidates"));
  CAMBRIAN_RETURN_IF_ERROR(count.Step().status());
  return count.Int64(0);
}

absl::StatusOr<std::vector<StageRecord>> SqliteArchive::GetStages(int64_t id) {
  absl::MutexLock lock(&mu_);
  std::vector<StageRecord> stages;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/false, [&]() -> absl::Status {
    CAMBRIAN_RETURN_IF_ERROR(StatusOf(*db_, id).status());
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement select,
        db_->Prepare("SELECT stage, outcome, exit_code, term_signal, wall_s, cpu_s, "
                     "peak_rss_bytes, output_tail, detail, seed FROM evaluations "
                     "WHERE candidate_id = ? ORDER BY stage_index"));
    select.Bind(1, id);
    while (true) {
      CAMBRIAN_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return absl::OkStatus();
      const std::optional<Outcome> outcome = ParseOutcome(select.Text(1));
      if (!outcome.has_value()) {
        return absl::DataLossError(
            absl::StrCat("a stage of candidate ", id, " has outcome \"", select.Text(1), "\""));
      }
      stages.push_back(StageRecord{
          .stage = select.Text(0),
          .outcome = *outcome,
          .exit_code = static_cast<int>(select.Int64(2)),
          .term_signal = static_cast<int>(select.Int64(3)),
          .wall_seconds = select.Double(4),
          .cpu_seconds = select.Double(5),
          .peak_rss_bytes = select.Int64(6),
          .output_tail = select.Text(7),
          .detail = select.Text(8),
          .seed = static_cast<uint64_t>(select.Int64(9)),
      });
    }
  }));
  return stages;
}

}  // namespace cambrian::archive
