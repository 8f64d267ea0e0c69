// What the review commands (leaderboard, show, diff, export, replay) share:
// opening a finished or running run, and rendering candidates.
#ifndef CAMBRIAN_ORCHESTRATOR_REVIEW_H_
#define CAMBRIAN_ORCHESTRATOR_REVIEW_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "archive/archive.h"
#include "archive/sqlite_archive.h"
#include "common/task.h"
#include "orchestrator/run_dir.h"

namespace cambrian::orchestrator {

struct OpenedRun {
  RunPaths paths;
  std::unique_ptr<archive::SqliteArchive> archive;
  archive::RunInfo info;
};

// Opens the run at `run_dir` (or the latest under ./runs). Read-only opens
// never disturb a controller that is writing.
[[nodiscard]] absl::StatusOr<OpenedRun> OpenRun(const std::optional<std::filesystem::path>& run_dir,
                                                archive::OpenMode mode);

// The task a run was started with (from its stored directory), warning if
// its trusted files changed since: new results may then not compare.
[[nodiscard]] absl::StatusOr<Task> LoadRecordedTask(const archive::RunInfo& info);

// The candidate, or NotFound saying how many candidates the run has.
[[nodiscard]] absl::StatusOr<archive::Candidate> GetCandidateOrExplain(archive::Archive& archive,
                                                                       int64_t id);

// The id of the run's seed candidate (the one with mutator "seed").
[[nodiscard]] absl::StatusOr<int64_t> SeedId(archive::Archive& archive);

// A table cell: one line whatever the candidate wrote, then cut to `width`.
std::string Cell(const std::string& text, size_t width);

// "0.1", "5%", "0.1 + 5%".
std::string NoiseText(const Noise& noise);

struct LeaderboardFormat {
  // The task's noise floor: a scored row within it of the best is marked a
  // tie ("~"), since its lead or lag may be noise. Zero: nothing is marked.
  Noise noise;
  // A multi-objective task's objective names: one column each instead of
  // the fitness; rows on the run's front are marked "*".
  std::vector<std::string> objectives;
  std::set<int64_t> front;
  bool wide = false;  // cells are not cut (otherwise metrics up to 72, changes 60)
};

// The text table `cambrian leaderboard` prints, in the given order (best
// first).
std::string FormatLeaderboard(const std::vector<archive::Candidate>& candidates,
                              const LeaderboardFormat& format = {});

// The candidates that set a new best, in the order they finished (by id
// among equals): how the best fitness rose over the run.
std::vector<archive::Candidate> BestOverTime(std::vector<archive::Candidate> candidates,
                                             bool maximize);

// One line per new best: "#ID  +ELAPSED  fitness F  (+GAIN)  MUTATOR  CHANGE",
// elapsed from `start`.
std::string FormatBestOverTime(const std::vector<archive::Candidate>& bests, absl::Time start);

// {"id", "parent_id", "second_parent_id", "mutator", "description", "status",
//  "outcome", "fitness", "objectives", "metrics", "feedback", "program_hash",
//  "created_at", "finished_at"}; absent optionals are null, times RFC 3339
//  UTC; objectives {} for a single-fitness task.
nlohmann::json CandidateJson(const archive::Candidate& candidate);

// "123 MiB", for peak memory columns.
std::string Mebibytes(int64_t bytes);

// Dumps JSON for a person or a script; invalid UTF-8 (job output) is replaced.
std::string DumpJson(const nlohmann::json& json);

// The search state the controller stores with every result (islands,
// counters, the effective config of the latest session); {} if none.
nlohmann::json StoredRunState(archive::Archive& archive);

// The sandbox modes the run's sessions used, e.g. {"bwrap"} or
// {"bwrap", "process"} (from its "sandbox" events; empty for older runs).
std::set<std::string> SandboxModesUsed(archive::Archive& archive);

// Every LLM call by outcome, the applied ones first:
// "12 calls: 8 ok (2 never evaluated), 3 rejected, 1 timeout"; "no calls".
std::string FormatLlmOutcomes(const archive::LlmTotals& totals);

// "60% of 20 children (target 80%)": the LLM's part of a run's children.
std::string FormatLlmShare(int64_t llm_children, int64_t children, double target);

// How fast evaluations finish lately: over the last 10 minutes, or since
// the run started if that is shorter; a stopped run's over the last 10
// minutes of its work (up to its last evaluation), not over idle time.
struct EvaluationRate {
  double per_minute = 0;
  int64_t evaluations = 0;  // in the window
  absl::Duration window = absl::ZeroDuration();
};
EvaluationRate RecentRate(std::vector<absl::Time> finished, absl::Time run_start, absl::Time now,
                          bool running);

// The warning `show` and `status` print when any session ran without
// isolation; "" otherwise.
std::string IsolationWarning(const std::set<std::string>& modes);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_REVIEW_H_
