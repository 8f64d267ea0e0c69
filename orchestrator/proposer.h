// The propose step of the search: choose a mutator and parents, run fast
// mutators inline and slow ones (LLM) on a proposal pool, and hand out a
// child only if the task's edit policy allows it and no candidate has its
// program yet. The controller tells it what was submitted and finished; it
// reads the scoreboard and the islands (taking islands in turn), and adds
// nothing to either.
#ifndef CAMBRIAN_ORCHESTRATOR_PROPOSER_H_
#define CAMBRIAN_ORCHESTRATOR_PROPOSER_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/archive.h"
#include "common/clock.h"
#include "common/program.h"
#include "common/rng.h"
#include "common/task.h"
#include "mutators/llm/embedder.h"
#include "mutators/mutator.h"
#include "orchestrator/mutator_mix.h"
#include "orchestrator/novelty.h"
#include "orchestrator/population.h"
#include "orchestrator/proposal_pool.h"
#include "orchestrator/run_config.h"
#include "orchestrator/scoreboard.h"

namespace cambrian::orchestrator {

// An accepted proposal waiting for an evaluation slot.
struct Child {
  mutators::Proposal proposal;
  mutators::Mutator* mutator = nullptr;  // the one that made it
  int64_t parent_id = 0;
  std::optional<int64_t> second_parent_id;
  int island = 0;
};

// Proposals that gave no child, kept in the run state.
struct ProposalCounts {
  int64_t rejected = 0;    // refused by the edit policy or the mutator
  int64_t duplicates = 0;  // identical to an earlier or running candidate
  int64_t not_novel = 0;   // layout-only changes, or too like the parent (NoveltyFilter)
};

struct ProposerDeps {
  const Task* task = nullptr;
  const RunConfig* config = nullptr;
  archive::Archive* archive = nullptr;
  std::vector<mutators::Mutator*> mutators;  // weighted by config->mutator_weights
  const mutators::TaskBrief* brief = nullptr;
  const Clock* clock = nullptr;
  // For the novelty filter; null unless --llm-novelty < 1 uses it (llm_setup).
  mutators::Embedder* embedder = nullptr;
};

class Proposer {
 public:
  // `population`, `scoreboard` and `rng` belong to the caller and outlive
  // this object; so does everything in `deps`.
  Proposer(ProposerDeps deps, Population& population, const Scoreboard& scoreboard, Rng& rng);

  // The ledger of candidates: a recorded one (parent or duplicate check;
  // `mutator` as archived: "seed", "knob", "llm", ...), one submitted for
  // evaluation, one whose evaluation ended (released), and one with a
  // result (a parent for random search, a repair for an LLM).
  void Recorded(int64_t id, const std::string& hash, const std::string& mutator);
  void Submitted(int64_t id, const std::string& hash, const std::string& mutator);
  void Released(int64_t id);
  // `fitness` as scored (nullopt if it failed); a child's mutator is told
  // whether it beat its parent (Mutator::Observe).
  void Finished(int64_t id, const std::string& outcome, std::optional<double> fitness = {});
  // Candidate `id` is `child`, submitted: its mutator hears how it did.
  void Took(int64_t id, const Child& child);

  // A child for a free slot, keeping the LLM's share of children at
  // config.llm_share: below it, an accepted slow proposal, or none (the slot
  // waits for one) unless the LLM is backing off after several misses in a
  // row; at or above it, a fast mutator's child. nullopt when none is ready.
  absl::StatusOr<std::optional<Child>> Next();
  // Keeps the slow mutators busy, up to the pool's capacity.
  absl::Status TopUp();
  // Takes finished slow proposals. Returns why the run must halt (a
  // spending cap was reached), or "".
  absl::StatusOr<std::string> Collect();
  // Slow proposals are out, waiting for a slot, or backing off.
  bool Awaiting() const;
  // Waits for the slow proposals still in flight and ends the pool.
  void Shutdown() { pool_.reset(); }

  // A recorded candidate's program, cached (parents are asked for often).
  absl::StatusOr<const Program*> ProgramOf(int64_t id);
  // The same, without adding it to the cache.
  absl::StatusOr<Program> LoadProgram(int64_t id) const;

  // Children made so far (the seed not counted), and the LLM's part.
  int64_t children() const { return children_; }
  int64_t slow_children() const { return slow_children_; }
  // Slow proposals being worked on, and when the oldest was sent.
  ProposalPool::Activity SlowActivity() const;

  const ProposalBackoff& backoff() const { return backoff_; }
  const ProposalCounts& counts() const { return counts_; }
  void RestoreCounts(const ProposalCounts& counts) { counts_ = counts; }

 private:
  absl::StatusOr<std::optional<Child>> ProposeFast();
  absl::StatusOr<std::optional<Child>> TakeReady();
  bool WantSlow() const;
  bool SlowCanServe() const;
  int64_t SelectParent(int island);
  int64_t SelectParentFor(const mutators::Mutator& mutator, int island);
  mutators::ScoredProgram InfoOf(int64_t id) const;
  absl::StatusOr<std::unique_ptr<ProposalJob>> MakeJob(mutators::Mutator& mutator, int island);
  absl::Status AddContext(ProposalJob& job);
  absl::StatusOr<std::optional<Child>> Accept(const ProposalJob& job,
                                              absl::StatusOr<mutators::Proposal> proposal,
                                              const ProposalEmbeddings* embeddings = nullptr);
  void NoteEmbeddingError(const absl::Status& error);
  absl::StatusOr<bool> IsNew(const std::string& hash);

  ProposerDeps deps_;
  Population& population_;
  const Scoreboard& scoreboard_;
  Rng& rng_;
  MutatorMix mix_;                                // which mutator proposes next
  std::unique_ptr<ProposalPool> pool_;            // only when a slow mutator is configured
  std::deque<Child> ready_;                       // accepted slow proposals waiting for a slot
  ProposalBackoff backoff_;                       // after slow proposals that gave no child
  absl::Time held_until_ = absl::InfinitePast();  // spend headroom held by calls in flight
  RepairCandidates repairs_;                      // recent failures an LLM may repair
  ProposalCounts counts_;
  NoveltyFilter novelty_;
  std::set<std::string> slow_names_;      // mutators whose children count as the LLM's
  std::vector<mutators::Mutator*> slow_;  // mix_.Slow(): those with a positive weight
  int64_t children_ = 0;
  int64_t slow_children_ = 0;
  int64_t seed_id_ = 0;
  int64_t embedding_failures_ = 0;
  std::map<int64_t, std::string> program_hash_;  // candidate id -> program hash
  std::map<std::string, Program> programs_;      // cache of parents' programs
  std::set<std::string> in_flight_hashes_;
  std::vector<int64_t> evaluated_;  // every finished candidate (random strategy)
  struct Taken {
    mutators::Mutator* mutator = nullptr;
    std::string arm;
    int64_t parent_id = 0;
  };
  std::map<int64_t, Taken> taken_;  // in flight, from a mutator that learns (has arms)
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_PROPOSER_H_
