// The proposal steps of the controller: choose a mutator and parents, run
// fast mutators inline and slow ones (LLM) on the proposal pool, and accept
// a child only if the edit policy allows it and it is new.
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "mutators/edit_policy.h"
#include "orchestrator/controller.h"

namespace cambrian::orchestrator {
namespace {

constexpr int kInspirations = 3;  // the island's best plus two others

}  // namespace

absl::StatusOr<std::optional<Controller::Child>> Controller::ProposeChild() {
  // One island per slot: retries (duplicates, refused edits) stay on it.
  const int island = population_.NextIsland();
  for (int attempt = 0; attempt < deps_.config->proposal_attempts; ++attempt) {
    mutators::Mutator* picked = mix_.Pick(rng_, scoreboard_.scored().size());
    if (picked == nullptr) return std::optional<Child>();
    mutators::Mutator& mutator = *picked;
    if (mutator.IsSlow()) {
      // Its children arrive through the proposal pool; keep it busy and let
      // the slot wait for one.
      CAMBRIAN_RETURN_IF_ERROR(TopUpProposals());
      return std::optional<Child>();
    }
    CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<ProposalJob> job, MakeJob(mutator, island));
    if (!job) continue;
    absl::StatusOr<mutators::Proposal> proposal = RunProposalJob(*job);
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child, Accept(*job, std::move(proposal)));
    if (child) return child;
  }
  return std::optional<Child>();
}

int64_t Controller::SelectParent(int island) {
  // Before anything is scored (the seed still running or failed), mutate
  // the seed: a failing seed can still have working children.
  if (deps_.config->strategy == "random") {
    if (evaluated_.empty()) return seed_id_;
    return evaluated_[rng_.UniformInt(0, static_cast<int64_t>(evaluated_.size()) - 1)];
  }
  return population_.SelectParent(island, rng_).value_or(seed_id_);
}

int64_t Controller::SelectParentFor(const mutators::Mutator& mutator, int island) {
  // Slow (LLM) mutators can repair: now and then they get a recent failure.
  if (mutator.IsSlow()) {
    if (std::optional<int64_t> failed = repairs_.Draw(rng_, deps_.config->repair_rate)) {
      return *failed;
    }
  }
  return SelectParent(island);
}

absl::StatusOr<const Program*> Controller::ProgramOf(int64_t id) {
  const std::string& hash = program_hash_.at(id);
  auto it = programs_.find(hash);
  if (it == programs_.end()) {
    CAMBRIAN_ASSIGN_OR_RETURN(Program program, deps_.archive->GetProgram(hash));
    it = programs_.emplace(hash, std::move(program)).first;
  }
  return &it->second;
}

mutators::ScoredProgram Controller::InfoOf(int64_t id) const {
  const mutators::ScoredProgram* found = scoreboard_.Find(id);
  mutators::ScoredProgram info = found == nullptr ? mutators::ScoredProgram{} : *found;
  info.id = id;
  return info;
}

absl::StatusOr<std::unique_ptr<ProposalJob>> Controller::MakeJob(mutators::Mutator& mutator,
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

absl::Status Controller::AddContext(ProposalJob& job) {
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

absl::Status Controller::TopUpProposals() {
  if (!proposals_ || backoff_.Waiting(deps_.clock->Now())) return absl::OkStatus();
  const std::vector<mutators::Mutator*> slow = mix_.Slow();
  // Bounded: MakeJob may find no job (e.g. no second parent yet).
  for (int tries = 0; !slow.empty() && tries < proposals_->capacity() &&
                      proposals_->in_flight() < proposals_->capacity() &&
                      static_cast<int>(ready_.size()) < proposals_->capacity();
       ++tries) {
    mutators::Mutator& mutator = *slow[rng_.UniformInt(0, slow.size() - 1)];
    CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<ProposalJob> job,
                              MakeJob(mutator, population_.NextIsland()));
    if (job) proposals_->Submit(std::move(job));
  }
  return absl::OkStatus();
}

absl::Status Controller::CollectProposals() {
  if (!proposals_) return absl::OkStatus();
  while (std::optional<ProposalDone> done = proposals_->TryTake()) {
    if (!done->proposal.ok() && absl::IsResourceExhausted(done->proposal.status())) {
      // A spending cap: no further LLM call fits, so the run ends cleanly.
      stop_->Halt(std::string(done->proposal.status().message()));
      continue;
    }
    std::string why = done->proposal.ok() ? "a duplicate or disallowed edit"
                                          : std::string(done->proposal.status().message());
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child,
                              Accept(*done->job, std::move(done->proposal)));
    backoff_.Note(child.has_value(), why, deps_.clock->Now());
    if (child) ready_.push_back(*std::move(child));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Controller::Child>> Controller::Accept(
    const ProposalJob& job, absl::StatusOr<mutators::Proposal> proposal) {
  if (!proposal.ok()) {
    // A mutator that cannot act on these parents is not a harness failure.
    if (!absl::IsFailedPrecondition(proposal.status())) return proposal.status();
    ++summary_.rejected_proposals;
    if (job.mutator->IsSlow()) {
      LogInfo(absl::StrCat("proposal from #", job.parent_id,
                           " rejected: ", proposal.status().message()));
    }
    return std::optional<Child>();
  }
  absl::Status allowed =
      mutators::CheckEditAllowed(job.parent, proposal->program, deps_.task->editable);
  if (!allowed.ok()) {
    ++summary_.rejected_proposals;
    LogWarning(
        absl::StrCat("rejected a ", Sv(job.mutator->name()), " proposal: ", allowed.message()));
    return std::optional<Child>();
  }
  CAMBRIAN_ASSIGN_OR_RETURN(bool fresh, IsNew(ProgramHash(proposal->program)));
  if (!fresh) return std::optional<Child>();
  return std::optional<Child>(
      Child{*std::move(proposal), job.parent_id, job.second_parent_id, job.island});
}

absl::StatusOr<bool> Controller::IsNew(const std::string& hash) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<int64_t> existing,
                            deps_.archive->FindCandidateByProgram(hash));
  if (existing || in_flight_hashes_.count(hash)) {
    ++summary_.duplicate_proposals;
    return false;
  }
  return true;
}

bool Controller::AwaitingProposals() const {
  if (!proposals_ || !summary_.stop_reason.empty()) return false;
  return proposals_->in_flight() > 0 || !ready_.empty() || backoff_.Waiting(deps_.clock->Now());
}

}  // namespace cambrian::orchestrator
