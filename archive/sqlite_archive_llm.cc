// SqliteArchive: LLM calls (table llm_calls, migration 2). Prompt and
// response texts are stored in `blobs` and the row holds their hashes.
#include <utility>

#include "absl/strings/str_cat.h"
#include "archive/archive_checks.h"
#include "archive/blob_store.h"
#include "archive/codec.h"
#include "archive/sqlite_archive.h"
#include "archive/sqlite_db.h"
#include "common/status_macros.h"

namespace cambrian::archive {

using internal::Db;
using internal::GetBlob;
using internal::PutBlob;
using internal::Statement;

namespace {

constexpr char kLlmCallColumns[] =
    "id, time, provider, model, prompt_hash, prompt_blob, response_blob, input_tokens, "
    "output_tokens, cost_usd, latency_s, attempts, outcome, error, parent_id";

// Reads one row selected with kLlmCallColumns, fetching its texts.
absl::StatusOr<LlmCall> ReadLlmCall(Db& db, const Statement& row) {
  LlmCall call;
  call.id = row.Int64(0);
  call.time = internal::FromUnixSeconds(row.Double(1));
  call.provider = row.Text(2);
  call.model = row.Text(3);
  call.prompt_hash = row.Text(4);
  for (const auto& [column, text] : {std::pair{5, &call.prompt}, std::pair{6, &call.response}}) {
    absl::StatusOr<std::string> content = GetBlob(db, row.Text(column));
    if (!content.ok()) return Annotate(content.status(), absl::StrCat("llm call ", call.id));
    *text = *std::move(content);
  }
  call.input_tokens = row.Int64(7);
  call.output_tokens = row.Int64(8);
  call.cost_usd = row.Double(9);
  call.latency_seconds = row.Double(10);
  call.attempts = static_cast<int>(row.Int64(11));
  call.outcome = row.Text(12);
  call.error = row.Text(13);
  call.parent_id = row.OptionalInt64(14);
  return call;
}

absl::Status CheckParentExists(Db& db, std::optional<int64_t> parent_id) {
  if (!parent_id.has_value()) return absl::OkStatus();
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find, db.Prepare("SELECT 1 FROM candidates WHERE id = ?"));
  find.Bind(1, *parent_id);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (found) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("parent id ", *parent_id, " names no candidate"));
}

}  // namespace

absl::StatusOr<int64_t> SqliteArchive::AddLlmCall(const LlmCall& call) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckLlmCall(call));
  absl::MutexLock lock(&mu_);
  int64_t id = 0;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/true, [&]() -> absl::Status {
    CAMBRIAN_RETURN_IF_ERROR(CheckParentExists(*db_, call.parent_id));
    CAMBRIAN_ASSIGN_OR_RETURN(const std::string prompt_blob, PutBlob(*db_, call.prompt));
    CAMBRIAN_ASSIGN_OR_RETURN(const std::string response_blob, PutBlob(*db_, call.response));
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare(absl::StrCat("INSERT INTO llm_calls (", kLlmCallColumns,
                                  ") VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")));
    insert.Bind(1, internal::ToUnixSeconds(Now())).Bind(2, call.provider).Bind(3, call.model);
    insert.Bind(4, call.prompt_hash).Bind(5, prompt_blob).Bind(6, response_blob);
    insert.Bind(7, call.input_tokens).Bind(8, call.output_tokens).Bind(9, call.cost_usd);
    insert.Bind(10, call.latency_seconds).Bind(11, call.attempts).Bind(12, call.outcome);
    insert.Bind(13, call.error).Bind(14, call.parent_id);
    CAMBRIAN_RETURN_IF_ERROR(insert.Run());
    id = db_->LastInsertRowId();
    return absl::OkStatus();
  }));
  return id;
}

absl::StatusOr<LlmCall> SqliteArchive::GetLlmCall(int64_t id) {
  absl::MutexLock lock(&mu_);
  LlmCall call;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/false, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement find,
        db_->Prepare(absl::StrCat("SELECT ", kLlmCallColumns, " FROM llm_calls WHERE id = ?")));
    find.Bind(1, id);
    CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("no LLM call with id ", id));
    CAMBRIAN_ASSIGN_OR_RETURN(call, ReadLlmCall(*db_, find));
    return absl::OkStatus();
  }));
  return call;
}

absl::StatusOr<std::optional<std::string>> SqliteArchive::FindLlmResponse(
    const std::string& model, const std::string& prompt_hash) {
  absl::MutexLock lock(&mu_);
  std::optional<std::string> response;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/false, [&]() -> absl::Status {
    // llm_calls_by_prompt narrows to the few calls with this prompt; the
    // blob's raw_size says whether the reply is empty without reading it.
    // The outcome list is IsReusableLlmOutcome's.
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement find,
        db_->Prepare("SELECT c.response_blob FROM llm_calls c JOIN blobs b "
                     "ON b.hash = c.response_blob WHERE c.model = ? AND c.prompt_hash = ? "
                     "AND c.outcome IN ('ok', 'rejected', 'cached') AND b.raw_size > 0 "
                     "ORDER BY c.id DESC LIMIT 1"));
    find.Bind(1, model).Bind(2, prompt_hash);
    CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
    if (!found) return absl::OkStatus();
    CAMBRIAN_ASSIGN_OR_RETURN(response, GetBlob(*db_, find.Text(0)));
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<LlmTotals> SqliteArchive::GetLlmTotals() {
  absl::MutexLock lock(&mu_);
  // The excluded outcomes are the complement of IsBilledLlmOutcome.
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement sum,
      db_->Prepare("SELECT count(*), total(input_tokens), total(output_tokens), total(cost_usd) "
                   "FROM llm_calls WHERE outcome NOT IN ('cached', 'budget')"));
  CAMBRIAN_RETURN_IF_ERROR(sum.Step().status());
  // total() is REAL; token sums stay exact below 2^53.
  LlmTotals totals{.calls = sum.Int64(0),
                   .input_tokens = static_cast<int64_t>(sum.Double(1)),
                   .output_tokens = static_cast<int64_t>(sum.Double(2)),
                   .cost_usd = sum.Double(3)};
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement by_outcome,
      db_->Prepare("SELECT outcome, count(*) FROM llm_calls GROUP BY outcome"));
  while (true) {
    CAMBRIAN_ASSIGN_OR_RETURN(const bool row, by_outcome.Step());
    if (!row) break;
    totals.outcomes[by_outcome.Text(0)] = by_outcome.Int64(1);
  }
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement unevaluated,
      db_->Prepare("SELECT count(*) FROM llm_calls WHERE outcome = 'ok' AND id NOT IN "
                   "(SELECT llm_call_id FROM candidates WHERE llm_call_id IS NOT NULL)"));
  CAMBRIAN_RETURN_IF_ERROR(unevaluated.Step().status());
  totals.unevaluated = unevaluated.Int64(0);
  return totals;
}

absl::StatusOr<std::vector<LlmCall>> SqliteArchive::ListLlmCalls(int limit) {
  CAMBRIAN_RETURN_IF_ERROR(CheckLimit(limit));
  absl::MutexLock lock(&mu_);
  std::vector<LlmCall> calls;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/false, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement select,
        db_->Prepare(absl::StrCat("SELECT ", kLlmCallColumns, " FROM (SELECT * FROM llm_calls ",
                                  "ORDER BY id DESC LIMIT ?) ORDER BY id")));
    select.Bind(1, limit);
    while (true) {
      CAMBRIAN_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return absl::OkStatus();
      CAMBRIAN_ASSIGN_OR_RETURN(LlmCall call, ReadLlmCall(*db_, select));
      calls.push_back(std::move(call));
    }
  }));
  return calls;
}

}  // namespace cambrian::archive
