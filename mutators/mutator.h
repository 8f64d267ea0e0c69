// Mutators propose children of parents. They know nothing of the sandbox or
// the archive: they get programs in and hand a Proposal back.
#ifndef CAMBRIAN_MUTATORS_MUTATOR_H_
#define CAMBRIAN_MUTATORS_MUTATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/program.h"
#include "common/rng.h"

namespace cambrian::mutators {

// What the task says about itself, for mutators that explain the task to an
// LLM. Never contains trusted files.
struct TaskBrief {
  std::string name;
  std::string description;
  std::string instructions;  // the task's instructions file, if any
  std::string goal;          // "maximize" | "minimize"
  std::string fitness;       // the fitness expression, e.g. "gflops"
  // The metrics the task names (its fitness, pass_if and plausible_if
  // expressions, its features): the only ones prompts show. Empty: the
  // first kMaxPromptMetrics of whatever a candidate reported.
  std::vector<std::string> metrics;
};

// A program with what is known about it: the parent being mutated, or an
// inspiration (the island's best, a diverse program) shown alongside it.
struct ScoredProgram {
  int64_t id = 0;
  const Program* program = nullptr;
  Metrics metrics;
  std::optional<double> fitness;
  std::string outcome;   // "ok", "build_error", ... ("" if not evaluated yet)
  std::string feedback;  // the job's feedback or the harness's failure note
  std::string failure;   // for a failed candidate: the failing stage's output tail
  Metrics objectives;    // a multi-objective task's, by name (empty otherwise)
};

struct MutationContext {
  const Program* parent = nullptr;         // required
  const Program* second_parent = nullptr;  // set when NeedsSecondParent()
  std::vector<std::string> editable;       // the task's editable globs
  Rng* rng = nullptr;                      // required; the only randomness used
  // Optional context for LLM mutators; offline mutators ignore it.
  const TaskBrief* task = nullptr;
  ScoredProgram parent_info;  // parent_info.program == parent
  std::vector<ScoredProgram> inspirations;
};

struct Proposal {
  Program program;                     // the whole child program
  std::string mutator;                 // name() of the mutator that made it
  std::string description;             // human summary, e.g. "kTile 32 -> 64 (matmul.cpp:12)"
  std::optional<int64_t> llm_call_id;  // the LlmCallLog record it came from, if any
  std::string arm;  // which of the mutator's choices made it (an LLM: the model), for Observe
};

class Mutator {
 public:
  virtual ~Mutator() = default;
  virtual std::string_view name() const = 0;
  // Crossover needs two parents; the controller supplies second_parent.
  virtual bool NeedsSecondParent() const { return false; }
  // True for mutators that take seconds (an LLM call): the controller runs
  // them on proposal threads, up to --llm-concurrency at once.
  virtual bool IsSlow() const { return false; }
  // FailedPrecondition if this mutator can do nothing with these parents (for
  // example a program without knobs, or an LLM reply whose edits do not
  // apply); Unavailable if the service behind it failed (an LLM call that
  // timed out or got an HTTP error): either way the controller tries another
  // (and, for Unavailable, does not hold job slots for it while it backs off).
  // Aborted when it should be asked again later and nothing is wrong (an LLM
  // whose spend headroom is held by calls in flight). Cancelled when a
  // stopping run cancelled it. Other errors mean the harness broke. Slow mutators (IsSlow) are
  // called from proposal threads, so Propose must be thread-safe for them; the Rng in the context
  // is then owned by that call.
  [[nodiscard]] virtual absl::StatusOr<Proposal> Propose(const MutationContext& context) = 0;
  // The child of a proposal with this `arm` was evaluated; `improved` if it
  // beat its parent's fitness. Mutators that learn (the LLM's model bandit)
  // use it; called on the controller thread.
  virtual void Observe(const std::string& arm, bool improved) {}
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_MUTATOR_H_
