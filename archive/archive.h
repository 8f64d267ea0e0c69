// The population database of one run: programs (content-addressed), candidates
// with lineage and scores, per-stage evaluations, events. The real
// implementation is SQLite (archive/sqlite_archive.h, schema in
// archive/README.md); tests use tests/testing/in_memory_archive.h.
//
// Error meanings shared by every implementation:
//   NotFound           the named id / hash / run row does not exist
//   InvalidArgument    the input breaks a rule stated below (archive/archive_checks.h)
//   AlreadyExists      a unique thing was stored twice (run info, a program's candidate)
//   FailedPrecondition the call is not allowed in the current state (e.g. read-only
//                      handle, finishing a candidate that is already done)
//   DataLoss           stored data is corrupt (a blob whose hash no longer matches)
//   other codes        the storage itself failed (I/O, locking)
#ifndef CAMBRIAN_ARCHIVE_ARCHIVE_H_
#define CAMBRIAN_ARCHIVE_ARCHIVE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"
#include "common/outcome.h"
#include "common/program.h"

namespace cambrian::archive {

struct RunInfo {
  std::string task_name;
  std::string task_dir;      // absolute path of the task directory at run start
  std::string trusted_hash;  // HashTree of the trusted root at run start ("" if none)
  std::string config_json;   // the effective run configuration
  uint64_t seed = 0;
  std::string goal;  // "maximize" | "minimize"
  absl::Time created_at;
};

enum class CandidateStatus { kPending, kRunning, kDone, kInterrupted };
// Stable lower-case names as stored: "pending", "running", "done", "interrupted".
std::string_view CandidateStatusName(CandidateStatus status);
std::optional<CandidateStatus> ParseCandidateStatus(std::string_view name);

struct NewCandidate {
  std::optional<int64_t> parent_id;
  std::optional<int64_t> second_parent_id;  // crossover
  std::string program_hash;                 // must already be stored with PutProgram
  std::string mutator;                      // "seed", "knob", "crossover", ...
  std::string description;                  // what the mutator changed
  int island = 0;
  CandidateStatus status = CandidateStatus::kRunning;
  std::optional<int64_t> llm_call_id;  // the LLM call it came from (AddLlmCall's id)
};

// One stage's job as measured by the sandbox and judged by the evaluator.
struct StageRecord {
  std::string stage;
  Outcome outcome = Outcome::kOk;
  int exit_code = -1;
  int term_signal = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  int64_t peak_rss_bytes = 0;
  std::string output_tail;
  std::string detail;
  uint64_t seed = 0;  // CAMBRIAN_SEED the stage ran with
};

// The result of evaluating a candidate, written in one transaction.
struct CandidateResult {
  Outcome outcome = Outcome::kOk;
  Metrics metrics;
  std::optional<double> fitness;  // absent unless outcome == kOk
  Metrics objectives;             // a multi-objective task's, by name; only with a fitness
  std::string feedback;
  std::vector<StageRecord> stages;
  // The search's state after this result (a JSON object text, see
  // SetRunState), stored in the same transaction; "" leaves it unchanged.
  std::string run_state;
};

struct Candidate {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::optional<int64_t> second_parent_id;
  std::string program_hash;
  std::string mutator;
  std::string description;
  int island = 0;
  CandidateStatus status = CandidateStatus::kPending;
  std::optional<Outcome> outcome;  // set once done
  Metrics metrics;
  std::optional<double> fitness;
  Metrics objectives;  // a multi-objective task's objectives by name (empty otherwise)
  std::string feedback;
  absl::Time created_at;
  std::optional<absl::Time> finished_at;
  std::optional<int64_t> llm_call_id;  // the LLM call it came from, if any
};

// One request to an LLM and how it ended, as LLM mutators record it. Never
// holds an API key (the caller redacts `error`).
struct LlmCall {
  int64_t id = 0;           // 1, 2, 3, ... in storage order; ignored by AddLlmCall
  absl::Time time;          // when it was stored (the archive's clock); ignored by AddLlmCall
  std::string provider;     // "openai", "anthropic", "replay", ...
  std::string model;        // as configured
  std::string prompt_hash;  // the request's hash (mutators/llm/prompt_hash.h)
  std::string prompt;       // the request's text
  std::string response;     // the reply text, "" if none
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  double latency_seconds = 0;
  int attempts = 0;  // HTTP attempts; 0 when no request was sent (cached, budget)
  // "ok", "rejected", "cached", "budget" or a failure ("http_error",
  // "timeout", "malformed", "refused", "empty", ...); see archive/README.md.
  std::string outcome;
  std::string error;                 // why it failed, "" if it did not
  std::optional<int64_t> parent_id;  // the candidate whose mutation asked
};

// Spend over the calls that were billed: every outcome except "cached" and
// "budget" (those sent no request); and every call counted by outcome.
struct LlmTotals {
  int64_t calls = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  std::map<std::string, int64_t> outcomes;  // all calls, billed or not
  int64_t unevaluated = 0;  // "ok" calls (an edit applied) that no candidate links to
};

// One entry of the run's event log.
struct Event {
  int64_t id = 0;  // 1, 2, 3, ... in append order
  absl::Time time;
  std::string kind;
  std::string data_json;  // a JSON object text
};

struct ListOptions {
  bool scored_only = false;  // only candidates with a fitness
  bool best_first = false;   // order by fitness by the run's goal, then id
  std::optional<int> limit;  // at most this many (>= 0)
};

// Implementations are thread-safe unless they say otherwise; each call is
// atomic (one transaction for the SQLite archive).
class Archive {
 public:
  virtual ~Archive() = default;

  // Run metadata: SetRunInfo once when the run is created (AlreadyExists
  // after that; InvalidArgument unless goal is "maximize" or "minimize");
  // GetRunInfo is NotFound before that.
  [[nodiscard]] virtual absl::Status SetRunInfo(const RunInfo& info) = 0;
  [[nodiscard]] virtual absl::StatusOr<RunInfo> GetRunInfo() = 0;

  // Stores `program` (idempotent) and returns its ProgramHash.
  [[nodiscard]] virtual absl::StatusOr<std::string> PutProgram(const Program& program) = 0;
  // NotFound if no program has `hash`; DataLoss if stored bytes no longer
  // match their hash.
  [[nodiscard]] virtual absl::StatusOr<Program> GetProgram(const std::string& hash) = 0;

  // The id of the candidate holding `program_hash`, if any (dedup).
  [[nodiscard]] virtual absl::StatusOr<std::optional<int64_t>> FindCandidateByProgram(
      const std::string& program_hash) = 0;
  // Ids are 1, 2, 3, ... in creation order. FailedPrecondition if the program
  // is not stored; AlreadyExists if a candidate already holds it;
  // InvalidArgument if a parent id names no candidate, llm_call_id names no
  // LLM call, or status is kDone (use FinishCandidate).
  [[nodiscard]] virtual absl::StatusOr<int64_t> AddCandidate(const NewCandidate& candidate) = 0;
  // Marks the candidate done and stores its result and stages atomically.
  // NotFound for an unknown id; FailedPrecondition if it is already done;
  // InvalidArgument for a non-finite metric or fitness, or a fitness with an
  // outcome other than kOk.
  [[nodiscard]] virtual absl::Status FinishCandidate(int64_t id, const CandidateResult& result) = 0;
  // Marks a candidate that was running when the run stopped. NotFound for an
  // unknown id; InvalidArgument for kDone; FailedPrecondition if it is done.
  [[nodiscard]] virtual absl::Status SetCandidateStatus(int64_t id, CandidateStatus status) = 0;
  [[nodiscard]] virtual absl::StatusOr<Candidate> GetCandidate(int64_t id) = 0;
  // Ordered by id unless options.best_first: then by fitness (descending for
  // a "maximize" run or when no run info is set, ascending for "minimize"),
  // candidates without fitness last, ties by id.
  [[nodiscard]] virtual absl::StatusOr<std::vector<Candidate>> ListCandidates(
      const ListOptions& options) = 0;
  [[nodiscard]] virtual absl::StatusOr<int64_t> CountCandidates() = 0;
  // The stages of the candidate's search evaluation, in order (empty until
  // it is finished). NotFound for an unknown id.
  [[nodiscard]] virtual absl::StatusOr<std::vector<StageRecord>> GetStages(int64_t id) = 0;

  // Appends to the event log (run started/stopped, errors, replays...).
  // `data_json` is a JSON object text, may be "{}" (InvalidArgument otherwise).
  [[nodiscard]] virtual absl::Status AddEvent(const std::string& kind,
                                              const std::string& data_json) = 0;
  // The newest `limit` events, oldest first. InvalidArgument if limit < 0.
  [[nodiscard]] virtual absl::StatusOr<std::vector<Event>> ListEvents(int limit) = 0;

  // The search's own state (islands, counters), one JSON object that the
  // orchestrator owns; the archive only keeps it. InvalidArgument unless it
  // is a JSON object text. GetRunState is nullopt until one is stored.
  [[nodiscard]] virtual absl::Status SetRunState(const std::string& state_json) = 0;
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> GetRunState() = 0;

  // LLM calls (safe to call from several proposal threads at once).
  // Stores a call and returns its id (1, 2, 3, ...); `id` and `time` are
  // ignored. InvalidArgument if provider, model, prompt_hash or outcome is
  // empty, a count or amount is negative or not finite, or parent_id names
  // no candidate.
  [[nodiscard]] virtual absl::StatusOr<int64_t> AddLlmCall(const LlmCall& call) = 0;
  // NotFound for an unknown id; DataLoss if its stored text is corrupt.
  [[nodiscard]] virtual absl::StatusOr<LlmCall> GetLlmCall(int64_t id) = 0;
  // The response cache: the reply of the newest call with exactly this model
  // and prompt hash whose outcome is "ok", "rejected" or "cached" and whose
  // response is not empty; nullopt if there is none.
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> FindLlmResponse(
      const std::string& model, const std::string& prompt_hash) = 0;
  // Totals over the billed calls (see LlmTotals).
  [[nodiscard]] virtual absl::StatusOr<LlmTotals> GetLlmTotals() = 0;
  // The newest `limit` calls, oldest first. InvalidArgument if limit < 0.
  [[nodiscard]] virtual absl::StatusOr<std::vector<LlmCall>> ListLlmCalls(int limit) = 0;
};

}  // namespace cambrian::archive

#endif  // CAMBRIAN_ARCHIVE_ARCHIVE_H_
