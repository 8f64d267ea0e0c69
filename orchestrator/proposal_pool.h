// Threads that run slow mutators (LLM calls) so the controller never waits
// on one: up to `threads` proposals in flight, completed ones collected
// without blocking.
#ifndef CAMBRIAN_ORCHESTRATOR_PROPOSAL_POOL_H_
#define CAMBRIAN_ORCHESTRATOR_PROPOSAL_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/program.h"
#include "mutators/llm/embedder.h"
#include "mutators/mutator.h"
#include "orchestrator/novelty.h"

namespace cambrian::orchestrator {

// Everything one Propose call needs, owned, so the controller can move on.
struct ProposalJob {
  mutators::Mutator* mutator = nullptr;
  int64_t parent_id = 0;
  std::optional<int64_t> second_parent_id;
  int island = 0;  // the island the child will belong to
  Program parent;
  std::optional<Program> second_parent;
  mutators::ScoredProgram parent_info;                // program pointer is set by the pool
  std::vector<Program> inspiration_programs;          // owned copies ...
  std::vector<mutators::ScoredProgram> inspirations;  // ... pointed to by these
  std::vector<std::string> editable;
  const mutators::TaskBrief* task = nullptr;  // outlives the pool
  uint64_t rng_seed = 0;
  absl::Time sent;  // when it was submitted (the proposer's clock)
};

struct ProposalDone {
  std::unique_ptr<ProposalJob> job;
  absl::StatusOr<mutators::Proposal> proposal;
  // With an embedder, for a proposal: its parent's and child's embeddings,
  // or why they could not be had (the novelty filter then uses the text).
  std::optional<ProposalEmbeddings> embeddings;
  absl::Status embedding_error;
};

// Thread-safe. The destructor waits for proposals in flight (each bounded by
// its client's timeouts) and joins the threads.
class ProposalPool {
 public:
  // `embedder` (may be null; outlives the pool) embeds each proposal's
  // parent and child on the proposal's thread.
  explicit ProposalPool(int threads, mutators::Embedder* embedder = nullptr);
  ~ProposalPool();
  ProposalPool(const ProposalPool&) = delete;
  ProposalPool& operator=(const ProposalPool&) = delete;

  int capacity() const { return static_cast<int>(threads_.size()); }
  // Submitted and not yet taken.
  int in_flight() const;
  // Submitted and not yet finished, and the oldest one's `sent`.
  struct Activity {
    int out = 0;
    std::optional<absl::Time> oldest;
  };
  Activity activity() const;
  void Submit(std::unique_ptr<ProposalJob> job);
  // A finished proposal, if any, without waiting.
  std::optional<ProposalDone> TryTake();

 private:
  void WorkerLoop();

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<std::unique_ptr<ProposalJob>> queue_;
  std::deque<ProposalDone> done_;
  int in_flight_ = 0;
  std::multiset<absl::Time> out_;  // `sent` of each job not yet finished
  bool shutting_down_ = false;
  mutators::Embedder* const embedder_;
  std::vector<std::thread> threads_;
};

// Runs one job: builds its MutationContext over the job's own copies.
absl::StatusOr<mutators::Proposal> RunProposalJob(ProposalJob& job);

// Embeds a finished proposal's parent and child (editable files only) into
// `done.embeddings`, or sets `done.embedding_error`.
void EmbedProposal(mutators::Embedder& embedder, ProposalDone& done);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_PROPOSAL_POOL_H_
