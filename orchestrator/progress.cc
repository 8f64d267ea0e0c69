#include "orchestrator/progress.h"

#include <unistd.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"
#include "common/units.h"

namespace cambrian::orchestrator {
namespace {

// Keeps one status line at the bottom of the terminal (common/log.h redraws
// it below every log line, so the two never interleave).
class TerminalProgress : public ProgressSink {
 public:
  ~TerminalProgress() override { Finish(); }

  void OnCandidate(const std::string& line) override { LogInfo(line); }
  void OnTick(const ProgressState& state) override { SetStatusLine(FormatProgress(state)); }
  void Finish() override { SetStatusLine(""); }
};

// Non-terminal output (CI logs, files): a line per candidate and a status
// line every 30 seconds.
class PlainProgress : public ProgressSink {
 public:
  void OnCandidate(const std::string& line) override { LogInfo(line); }
  void OnTick(const ProgressState& state) override {
    if (state.elapsed - last_status_ < absl::Seconds(30)) return;
    last_status_ = state.elapsed;
    LogInfo(FormatProgress(state));
  }
  void Finish() override {}

 private:
  absl::Duration last_status_;
};

}  // namespace

std::string FormatProgress(const ProgressState& state) {
  std::string line = absl::StrCat("[", HumanDuration(state.elapsed), "] evals ", state.evaluated);
  if (state.budget) absl::StrAppend(&line, "/", *state.budget);
  absl::StrAppend(&line, " | in flight ", state.in_flight, " | failed ", state.failed);
  if (state.best_fitness) {
    absl::StrAppend(&line,
                    absl::StrFormat(" | best %.6g (#%d, improved %s ago)", *state.best_fitness,
                                    *state.best_id, HumanDuration(state.since_improvement)));
  } else {
    absl::StrAppend(&line, " | best: none yet");
  }
  if (state.llm_calls) {
    absl::StrAppend(&line, absl::StrFormat(" | llm %d calls", *state.llm_calls));
    if (state.llm_out > 0) {
      absl::StrAppend(&line, absl::StrFormat(" (%d out, oldest %s)", state.llm_out,
                                             HumanDuration(state.llm_oldest)));
    }
    if (state.children > 0) {
      absl::StrAppend(
          &line, absl::StrFormat(
                     ", %d%% of children",
                     static_cast<int>(std::lround(100.0 * state.llm_children / state.children))));
    }
    absl::StrAppend(&line,
                    absl::StrFormat(", %d tokens, $%.4f", state.llm_tokens, state.llm_cost_usd));
  }
  if (!state.llm_status.empty()) absl::StrAppend(&line, " | ", state.llm_status);
  if (!state.warning.empty()) absl::StrAppend(&line, " | ", state.warning);
  return line;
}

std::unique_ptr<ProgressSink> MakeProgressSink() {
  if (isatty(STDERR_FILENO)) return std::make_unique<TerminalProgress>();
  return std::make_unique<PlainProgress>();
}

}  // namespace cambrian::orchestrator
