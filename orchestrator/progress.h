// Live progress of a run: a one-line status redrawn in place on a terminal,
// and plain log lines (one per finished candidate) everywhere.
#ifndef CAMBRIAN_ORCHESTRATOR_PROGRESS_H_
#define CAMBRIAN_ORCHESTRATOR_PROGRESS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace cambrian::orchestrator {

struct ProgressState {
  int64_t evaluated = 0;          // finished this run
  std::optional<int64_t> budget;  // --budget, if any
  int in_flight = 0;
  int64_t failed = 0;  // finished with an outcome other than ok
  std::optional<int64_t> best_id;
  std::optional<double> best_fitness;
  absl::Duration elapsed;
  absl::Duration since_improvement;  // since best_fitness last changed
  std::optional<int64_t> llm_calls;  // set when LLM mutators are configured
  double llm_cost_usd = 0;
  int64_t llm_tokens = 0;
  int llm_out = 0;            // LLM requests being worked on now
  absl::Duration llm_oldest;  // how long the oldest of them has been out
  int64_t llm_children = 0;   // children the LLM made, of `children`
  int64_t children = 0;       // every child so far (the seed not counted)
  std::string llm_status;     // e.g. "openai: circuit open until 10:31:02"
  std::string warning;        // shown on every line, e.g. "NO ISOLATION (sandbox process)"
};

// "[1m20s] evals 34/200 | in flight 2 | failed 3 | best 14.2 (#31, improved 12.0s ago)"
// then, with an LLM, " | llm 9 calls (2 out, oldest 41s), 60% of children, 31k tokens, $0.0123"
std::string FormatProgress(const ProgressState& state);

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // A candidate finished; `line` is a one-line summary of it.
  virtual void OnCandidate(const std::string& line) = 0;
  // Called often (several times a second) with the current state.
  virtual void OnTick(const ProgressState& state) = 0;
  // The run ended; erase any live line.
  virtual void Finish() = 0;
};

// Chooses the live terminal display if stderr is a terminal, else plain lines.
std::unique_ptr<ProgressSink> MakeProgressSink();

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_PROGRESS_H_
