#include "orchestrator/proposer.h"

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "mutators/edit_policy.h"

namespace cambrian::orchestrator {
namespace {

constexpr int kInspirations = 3;  // the island's best plus two others
// Slow proposals in a row that gave no child (a duplicate, a rejected edit,
// a failed call) before free slots stop waiting for the LLM while it backs
// off. A small model misses often and still makes good children, so a few
// misses must not hand every slot to the offline mutators; a model that
// misses this often in a row is as good as down.
constexpr int kHoldThroughMisses = 10;
constexpr absl::Duration kHoldThroughPause = absl::Seconds(2);

}  // namespace

Proposer::Proposer(ProposerDeps deps, Population& population, const Scoreboard& scoreboard,
                   Rng& rng)
    : deps_(std::move(deps)),
      population_(population),
      scoreboard_(scoreboard),
      rng_(rng),
      mix_(deps_.mutators, *deps_.config),
      novelty_(deps_.config->llm_novelty),
      slow_(mix_.Slow()) {
  for (mutators::Mutator* mutator : deps_.mutators) {
    if (!mutator->IsSlow()) continue;
    slow_names_.insert(std::string(mutator->name()));
    if (pool_) continue;
    const int threads =
        deps_.config->llm_concurrency > 0 ? deps_.config->llm_concurrency : kDefaultLlmConcurrency;
    pool_ = std::make_unique<ProposalPool>(threads, deps_.embedder);
  }
}

void Proposer::Recorded(int64_t id, const std::string& hash, const std::string& mutator) {
  if (!program_hash_.emplace(id, hash).second) return;  // known already
  if (mutator == "seed") {
    seed_id_ = id;
    return;
  }
  ++children_;
  if (slow_names_.count(mutator)) ++slow_children_;
}

void Proposer::Submitted(int64_t id, const std::string& hash, const std::string& mutator) {
  Recorded(id, hash, mutator);
  in_flight_hashes_.insert(hash);
}

ProposalPool::Activity Proposer::SlowActivity() const {
  return pool_ ? pool_->activity() : ProposalPool::Activity{};
}

void Proposer::Released(int64_t id) {
  if (auto it = program_hash_.find(id); it != program_hash_.end()) {
    in_flight_hashes_.erase(it->second);
  }
}

void Proposer::Finished(int64_t id, const std::string& outcome, std::optional<double> fitness) {
  evaluated_.push_back(id);
  repairs_.Note(id, outcome);
  auto taken = taken_.find(id);
  if (taken == taken_.end()) return;
  const mutators::ScoredProgram* parent = scoreboard_.Find(taken->second.parent_id);
  const bool improved = fitness && parent != nullptr &&
                        (!parent->fitness || Better(deps_.task->goal, *fitness, *parent->fitness));
  taken->second.mutator->Observe(taken->second.arm, improved);
  taken_.erase(taken);
}

void Proposer::Took(int64_t id, const Child& child) {
  if (child.mutator != nullptr && !child.proposal.arm.empty()) {
    taken_[id] = {child.mutator, child.proposal.arm, child.parent_id};
  }
}

absl::StatusOr<std::optional<Child>> Proposer::Next() {
  if (WantSlow()) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child, TakeReady());
    if (child || SlowCanServe()) {
      // None ready: the slot waits for the LLM rather than lowering its share.
      if (!child) CAMBRIAN_RETURN_IF_ERROR(TopUp());
      return child;
    }
  }
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child, ProposeFast());
  if (child) return child;
  return TakeReady();  // no offline child (none configured, or all duplicates)
}

bool Proposer::WantSlow() const {
  if (!pool_ || slow_.empty()) return false;
  // Would one more offline child leave the LLM below its share?
  return static_cast<double>(slow_children_) <
         deps_.config->llm_share * static_cast<double>(children_ + 1);
}

bool Proposer::SlowCanServe() const {
  if (!pool_ || slow_.empty()) return false;
  // A model that missed this often in a row is as good as down: slots stop
  // waiting for it, though it is still asked and its children still taken
  // (a slow small model that never makes a usable edit would otherwise
  // hold every slot at its own pace).
  if (backoff_.failures() >= kHoldThroughMisses) return false;
  if (!backoff_.Waiting(deps_.clock->Now())) return true;
  // Backing off: a service that failed cannot serve until it is retried. A
  // slot waits out a short pause after a miss, not a long one: an idle slot
  // costs more than an offline child (a model whose replies keep missing
  // waits up to 30 s between tries).
  return !backoff_.service_failed() && backoff_.until() - deps_.clock->Now() <= kHoldThroughPause;
}

absl::StatusOr<std::optional<Child>> Proposer::TakeReady() {
  while (!ready_.empty()) {
    Child child = std::move(ready_.front());
    ready_.pop_front();
    // Another child with the same program may have been taken meanwhile.
    CAMBRIAN_ASSIGN_OR_RETURN(bool fresh, IsNew(ProgramHash(child.proposal.program)));
    if (fresh) return std::optional<Child>(std::move(child));
  }
  return std::optional<Child>();
}

absl::StatusOr<std::optional<Child>> Proposer::ProposeFast() {
  // One island per slot: retries (duplicates, refused edits) stay on it.
  const int island = population_.NextIsland();
  for (int attempt = 0; attempt < deps_.config->proposal_attempts; ++attempt) {
    mutators::Mutator* picked = mix_.Pick(rng_, scoreboard_.scored().size());
    if (picked == nullptr) return std::optional<Child>();
    CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<ProposalJob> job, MakeJob(*picked, island));
    if (!job) continue;
    absl::StatusOr<mutators::Proposal> proposal = RunProposalJob(*job);
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child, Accept(*job, std::move(proposal)));
    if (child) return child;
  }
  return std::optional<Child>();
}

int64_t Proposer::SelectParent(int island) {
  // Before anything is scored (the seed still running or failed), mutate
  // the seed: a failing seed can still have working children.
  if (deps_.config->strategy == "random") {
    if (evaluated_.empty()) return seed_id_;
    return evaluated_[rng_.UniformInt(0, static_cast<int64_t>(evaluated_.size()) - 1)];
  }
  return population_.SelectParent(island, rng_).value_or(seed_id_);
}

int64_t Proposer::SelectParentFor(const mutators::Mutator& mutator, int island) {
  // Slow (LLM) mutators can repair: now and then they get a recent failure.
  if (mutator.IsSlow()) {
    if (std::optional<int64_t> failed = repairs_.Draw(rng_, deps_.config->repair_rate)) {
      return *failed;
    }
  }
  return SelectParent(island);
}

absl::StatusOr<const Program*> Proposer::ProgramOf(int64_t id) {
  const std::string& hash = program_hash_.at(id);
  auto it = programs_.find(hash);
  if (it == programs_.end()) {
    CAMBRIAN_ASSIGN_OR_RETURN(Program program, deps_.archive->GetProgram(hash));
    it = programs_.emplace(hash, std::move(program)).first;
  }
  return &it->second;
}

absl::StatusOr<Program> Proposer::LoadProgram(int64_t id) const {
  const std::string& hash = program_hash_.at(id);
  if (auto it = programs_.find(hash); it != programs_.end()) return it->second;
  return deps_.archive->GetProgram(hash);
}

mutators::ScoredProgram Proposer::InfoOf(int64_t id) const {
  const mutators::ScoredProgram* found = scoreboard_.Find(id);
  mutators::ScoredProgram info = found == nullptr ? mutators::ScoredProgram{} : *found;
  info.id = id;
  return info;
}

absl::StatusOr<std::unique_ptr<ProposalJob>> Proposer::MakeJob(mutators::Mutator& mutator,
                                                               int island) {
  auto job = std::make_unique<ProposalJob>();
  job->mutator = &mutator;
  job->island = island;
  job->parent_id = SelectParentFor(mutator, job->island);
  CAMBRIAN_ASSIGN_OR_RETURN(const Program* parent, ProgramOf(job->parent_id));
  job->parent = *parent;
  if (mutator.NeedsSecondParent()) {
    job->second_parent_id = SelectParent(job->island);
    if (*job->second_parent_id == job->parent_id) return std::unique_ptr<ProposalJob>();
    CAMBRIAN_ASSIGN_OR_RETURN(const Program* second, ProgramOf(*job->second_parent_id));
    job->second_parent = *second;
  }
  job->editable = deps_.task->editable;
  job->task = deps_.brief;
  job->rng_seed = rng_.Next();
  if (mutator.IsSlow()) CAMBRIAN_RETURN_IF_ERROR(AddContext(*job));
  return job;
}

absl::Status Proposer::AddContext(ProposalJob& job) {
  job.parent_info = InfoOf(job.parent_id);
  // The island's best and diverse elites (other cells, other islands).
  std::vector<int64_t> picks =
      population_.Inspirations(job.island, job.parent_id, kInspirations, rng_);
  for (int64_t id : picks) {
    CAMBRIAN_ASSIGN_OR_RETURN(const Program* program, ProgramOf(id));
    job.inspiration_programs.push_back(*program);
    job.inspirations.push_back(InfoOf(id));
  }
  return absl::OkStatus();
}

absl::Status Proposer::TopUp() {
  const absl::Time now = deps_.clock->Now();
  if (!pool_ || backoff_.Waiting(now) || now < held_until_) return absl::OkStatus();
  // Bounded: MakeJob may find no job (e.g. no second parent yet).
  for (int tries = 0;
       !slow_.empty() && tries < pool_->capacity() && pool_->in_flight() < pool_->capacity() &&
       static_cast<int>(ready_.size()) < pool_->capacity();
       ++tries) {
    mutators::Mutator& mutator = *slow_[rng_.UniformInt(0, slow_.size() - 1)];
    CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<ProposalJob> job,
                              MakeJob(mutator, population_.NextIsland()));
    if (!job) continue;
    job->sent = deps_.clock->Now();
    pool_->Submit(std::move(job));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Proposer::Collect() {
  std::string halt;
  if (!pool_) return halt;
  while (std::optional<ProposalDone> done = pool_->TryTake()) {
    const absl::Status status = done->proposal.status();
    if (absl::IsResourceExhausted(status)) {
      // A spending cap: no further LLM call fits, so the run ends cleanly.
      if (halt.empty()) halt = std::string(status.message());
      continue;
    }
    if (absl::IsCancelled(status)) continue;  // stopping
    if (absl::IsAborted(status)) {
      // Spend held by calls in flight: not a miss; ask again in a moment.
      held_until_ = deps_.clock->Now() + absl::Milliseconds(250);
      continue;
    }
    std::string why =
        status.ok() ? "a duplicate or disallowed edit" : std::string(status.message());
    const bool service_failed = absl::IsUnavailable(status);
    NoteEmbeddingError(done->embedding_error);
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child,
                              Accept(*done->job, std::move(done->proposal),
                                     done->embeddings ? &*done->embeddings : nullptr));
    backoff_.Note(child.has_value(), why, deps_.clock->Now(), service_failed);
    if (child) ready_.push_back(*std::move(child));
  }
  return halt;
}

void Proposer::NoteEmbeddingError(const absl::Status& error) {
  if (error.ok() || absl::IsCancelled(error)) return;
  // Said on the first failure and every 10th after: the run goes on with the
  // text measure, and a dead server should not flood the log.
  if (embedding_failures_++ % 10 == 0) {
    LogWarning(absl::StrCat("embeddings unavailable (", embedding_failures_,
                            " so far; the text measure is used instead): ", error.message()));
  }
}

absl::StatusOr<std::optional<Child>> Proposer::Accept(const ProposalJob& job,
                                                      absl::StatusOr<mutators::Proposal> proposal,
                                                      const ProposalEmbeddings* embeddings) {
  if (!proposal.ok()) {
    // A mutator that cannot act on these parents, or whose service failed,
    // is not a harness failure.
    if (!absl::IsFailedPrecondition(proposal.status()) && !absl::IsUnavailable(proposal.status())) {
      return proposal.status();
    }
    ++counts_.rejected;
    if (job.mutator->IsSlow()) {
      LogInfo(absl::StrCat("proposal from #", job.parent_id,
                           " rejected: ", proposal.status().message()));
    }
    return std::optional<Child>();
  }
  absl::Status allowed =
      mutators::CheckEditAllowed(job.parent, proposal->program, deps_.task->editable);
  if (!allowed.ok()) {
    ++counts_.rejected;
    LogWarning(
        absl::StrCat("rejected a ", Sv(job.mutator->name()), " proposal: ", allowed.message()));
    return std::optional<Child>();
  }
  CAMBRIAN_ASSIGN_OR_RETURN(bool fresh, IsNew(ProgramHash(proposal->program)));
  if (!fresh) return std::optional<Child>();
  if (!novelty_.Admit(job.parent, proposal->program, job.mutator->IsSlow(), embeddings)) {
    ++counts_.not_novel;
    return std::optional<Child>();
  }
  return std::optional<Child>(
      Child{*std::move(proposal), job.mutator, job.parent_id, job.second_parent_id, job.island});
}

absl::StatusOr<bool> Proposer::IsNew(const std::string& hash) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<int64_t> existing,
                            deps_.archive->FindCandidateByProgram(hash));
  if (existing || in_flight_hashes_.count(hash)) {
    ++counts_.duplicates;
    return false;
  }
  return true;
}

bool Proposer::Awaiting() const {
  if (!pool_) return false;
  const absl::Time now = deps_.clock->Now();
  return pool_->in_flight() > 0 || !ready_.empty() || backoff_.Waiting(now) || now < held_until_;
}

}  // namespace cambrian::orchestrator
