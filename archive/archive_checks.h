// The input rules every Archive implementation enforces, shared so that the
// SQLite archive and the in-memory test fake reject exactly the same inputs.
// Each function returns OK or InvalidArgument with a message saying what is
// wrong. Thread-safe (pure functions).
#ifndef CAMBRIAN_ARCHIVE_ARCHIVE_CHECKS_H_
#define CAMBRIAN_ARCHIVE_ARCHIVE_CHECKS_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "archive/archive.h"

namespace cambrian::archive {

// goal is "maximize" or "minimize".
[[nodiscard]] absl::Status CheckRunInfo(const RunInfo& info);

// status is not kDone (a candidate becomes done only through FinishCandidate),
// the program hash is not empty, and parents and llm_call_id are positive ids.
[[nodiscard]] absl::Status CheckNewCandidate(const NewCandidate& candidate);

// Every metric and the fitness are finite; a fitness only with outcome kOk;
// a run state, if any, is a JSON object text.
[[nodiscard]] absl::Status CheckCandidateResult(const CandidateResult& result);

// The status SetCandidateStatus may set: anything but kDone.
[[nodiscard]] absl::Status CheckStatusChange(CandidateStatus status);

// `data_json` parses as a JSON object; `kind` is not empty.
[[nodiscard]] absl::Status CheckEvent(const std::string& kind, const std::string& data_json);

// The run state is a JSON object text.
[[nodiscard]] absl::Status CheckRunState(const std::string& state_json);

// A list limit is >= 0.
[[nodiscard]] absl::Status CheckLimit(int limit);

// provider, model, prompt_hash and outcome are not empty; tokens, attempts,
// cost and latency are >= 0 (and finite); parent_id, if set, is positive.
[[nodiscard]] absl::Status CheckLlmCall(const LlmCall& call);

// Outcomes of calls whose reply the response cache may serve again: "ok",
// "rejected" (the reply came, its edits did not apply) and "cached".
bool IsReusableLlmOutcome(std::string_view outcome);
// Outcomes of calls that sent a request and so count in LlmTotals:
// everything but "cached" and "budget".
bool IsBilledLlmOutcome(std::string_view outcome);

}  // namespace cambrian::archive

#endif  // CAMBRIAN_ARCHIVE_ARCHIVE_CHECKS_H_
