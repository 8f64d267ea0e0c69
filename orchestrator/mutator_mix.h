// The propose step's choices that need no archive: which offline mutator
// makes the next child (by weight, crossover at its rate once two candidates
// are scored), which recent failures an LLM may be asked to repair, and how
// long to wait before asking a failing slow mutator again.
#ifndef CAMBRIAN_ORCHESTRATOR_MUTATOR_MIX_H_
#define CAMBRIAN_ORCHESTRATOR_MUTATOR_MIX_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/rng.h"
#include "mutators/mutator.h"
#include "orchestrator/run_config.h"

namespace cambrian::orchestrator {

class MutatorMix {
 public:
  // `mutators` and `config` must outlive this object.
  MutatorMix(std::vector<mutators::Mutator*> mutators, const RunConfig& config);

  // A fast (offline) mutator: crossover (one that needs a second parent)
  // with probability crossover_rate once `scored` >= 2, else a
  // single-parent one; within the group, by weight. nullptr when every
  // eligible weight is 0. Slow (LLM) mutators are never picked: their share
  // of evaluations is config.llm_share, kept by the Proposer.
  mutators::Mutator* Pick(Rng& rng, size_t scored) const;
  // The configured weight (mutator_weights), 1 for a mutator not named.
  double WeightOf(const mutators::Mutator& mutator) const;
  // The slow (LLM) mutators with a positive weight (weight 0 turns one off).
  std::vector<mutators::Mutator*> Slow() const;

 private:
  std::vector<mutators::Mutator*> mutators_;
  const RunConfig& config_;
};

// The last kKeep candidates that failed in a way an LLM might fix
// (build_error, runtime_error, wrong_answer): repair parents.
class RepairCandidates {
 public:
  static constexpr size_t kKeep = 20;
  void Note(int64_t id, const std::string& outcome);
  // A repair parent with probability `rate`, else nullopt.
  std::optional<int64_t> Draw(Rng& rng, double rate) const;

 private:
  std::deque<int64_t> recent_;
};

// Backoff for slow proposals that gave no child (a provider that is down,
// edits that never apply): 250 ms doubling to 30 s, reset by a success.
class ProposalBackoff {
 public:
  // `service_failed`: the miss was the service's (a failed call), not the
  // reply's (a rejected edit, a duplicate).
  void Note(bool gave_child, const std::string& why, absl::Time now, bool service_failed = false);
  bool Waiting(absl::Time now) const { return now < next_; }
  absl::Time until() const { return next_; }
  int failures() const { return failures_; }
  bool service_failed() const { return service_failed_; }
  const std::string& last_error() const { return last_error_; }

 private:
  int failures_ = 0;
  bool service_failed_ = false;
  std::string last_error_;
  absl::Time next_ = absl::InfinitePast();
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_MUTATOR_MIX_H_
