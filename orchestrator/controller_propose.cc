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
constexpr size_t kRecentFailures = 20;

bool Repairable(const std::string& outcome) {
  return outcome == "build_error" || outcome == "runtime_error" || outcome == "wrong_answer";
}

}  // namespace

absl::StatusOr<std::optional<Controller::Child>> Controller::ProposeChild() {
  // One island per slot: retries (duplicates, refused edits) stay on it.
  const int island = population_.NextIsland();
  for (int attempt = 0; attempt < deps_.config->proposal_attempts; ++attempt) {
    mutators::Mutator* picked = PickMutator();
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

mutators::Mutator* Controller::PickMutator() {
  std::vector<mutators::Mutator*> single, crossover;
  for (mutators::Mutator* mutator : deps_.mutators) {
    (mutator->NeedsSecondParent() ? crossover : single).push_back(mutator);
  }
  bool cross = !crossover.empty() && scoreboard_.scored().size() >= 2 &&
               (single.empty() || rng_.Bernoulli(deps_.config->crossover_rate));
  std::vector<mutators::Mutator*>& from = cross ? crossover : single;
  double total = 0;
  for (mutators::Mutator* mutator : from) total += WeightOf(*mutator);
  if (total <= 0) return nullptr;
  double draw = rng_.Uniform() * total;
  for (mutators::Mutator* mutator : from) {
    if (WeightOf(*mutator) <= 0) continue;
    draw -= WeightOf(*mutator);
    if (draw < 0) return mutator;
  }
  for (auto it = from.rbegin(); it != from.rend(); ++it) {
    if (WeightOf(**it) > 0) return *it;  // rounding left the draw at the end
  }
  return nullptr;
}

double Controller::WeightOf(const mutators::Mutator& mutator) const {
  auto it = deps_.config->mutator_weights.find(std::string(mutator.name()));
  return it == deps_.config->mutator_weights.end() ? 1.0 : it->second;
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
  if (mutator.IsSlow() && !recent_failures_.empty() && rng_.Bernoulli(deps_.config->repair_rate)) {
    return recent_failures_[rng_.UniformInt(0, recent_failures_.size() - 1)];
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
  if (!proposals_ || deps_.clock->Now() < next_slow_submit_) return absl::OkStatus();
  std::vector<mutators::Mutator*> slow;
  for (mutators::Mutator* mutator : deps_.mutators) {
    if (mutator->IsSlow() && WeightOf(*mutator) > 0) slow.push_back(mutator);
  }
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
    NoteSlowOutcome(child.has_value(), why);
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

void Controller::NoteSlowOutcome(bool gave_child, const std::string& why) {
  // A provider that is down or a model whose edits never apply must not be
  // asked again at once: back off exponentially, from 250 ms to 30 s.
  slow_failures_ = gave_child ? 0 : slow_failures_ + 1;
  if (slow_failures_ == 0) return;
  last_slow_error_ = why;
  absl::Duration wait = absl::Milliseconds(250) * (1 << std::min(slow_failures_ - 1, 7));
  next_slow_submit_ = deps_.clock->Now() + std::min(wait, absl::Seconds(30));
}

bool Controller::AwaitingProposals() const {
  if (!proposals_ || !summary_.stop_reason.empty()) return false;
  return proposals_->in_flight() > 0 || !ready_.empty() || deps_.clock->Now() < next_slow_submit_;
}

void Controller::NoteFailure(int64_t id, const std::string& outcome) {
  if (!Repairable(outcome)) return;
  recent_failures_.push_back(id);
  if (recent_failures_.size() > kRecentFailures) recent_failures_.erase(recent_failures_.begin());
}

}  // namespace cambrian::orchestrator
