#include "orchestrator/controller.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/absl_compat.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/units.h"

namespace cambrian::orchestrator {
namespace {

// While LLM proposals are out, look for them often: a slot may be waiting.
constexpr absl::Duration kProposalPoll = absl::Milliseconds(20);
// Consecutive failed LLM proposals, with nothing else being evaluated, that
// end a run (with backoff this is several minutes of failures).
constexpr int kMaxSlowFailures = 20;

}  // namespace

uint64_t EvaluationSeed(uint64_t run_seed, int64_t candidate_id) {
  // splitmix64 finaliser over the pair: cheap, well mixed, stable.
  uint64_t z = run_seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(candidate_id);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return (z ^ (z >> 31)) & 0x7FFFFFFFFFFFULL;  // small enough for any language's int
}

archive::CandidateResult ToCandidateResult(const evaluator::Evaluation& evaluation) {
  archive::CandidateResult result;
  result.outcome = evaluation.outcome;
  result.metrics = evaluation.metrics;
  result.fitness = evaluation.fitness;
  if (evaluation.fitness) result.objectives = evaluation.objectives;
  // The evaluator's note says why a candidate failed (a stage, or the
  // fitness); keep it with the job's own feedback for people and prompts.
  result.feedback = evaluation.note.empty() ? evaluation.feedback
                    : evaluation.feedback.empty()
                        ? evaluation.note
                        : absl::StrCat(evaluation.note, "\n", evaluation.feedback);
  for (const evaluator::StageResult& stage : evaluation.stages) {
    const sandbox::JobResult& job = stage.job;
    std::string detail = job.detail;
    if (!stage.note.empty()) detail = detail.empty() ? stage.note : stage.note + "; " + detail;
    result.stages.push_back({stage.name, stage.outcome, job.exit_code, job.term_signal,
                             job.wall_seconds, job.cpu_seconds, job.peak_rss_bytes, job.output_tail,
                             detail, stage.seed});
  }
  return result;
}

Controller::Controller(ControllerDeps deps)
    : deps_(std::move(deps)),
      rng_(deps_.config->seed),
      population_(deps_.config->population, AxesOf(*deps_.task), deps_.task->features),
      scoreboard_(AxesOf(*deps_.task)),
      proposer_({deps_.task, deps_.config, deps_.archive, deps_.mutators, deps_.brief, deps_.clock,
                 deps_.embedder},
                population_, scoreboard_, rng_) {}

absl::StatusOr<RunSummary> Controller::Run() {
  stop_.emplace(*deps_.config, *deps_.clock);
  pool_ = std::make_unique<EvaluationPool>(*deps_.evaluator, deps_.config->workers,
                                           GpuSlots{deps_.gpus, deps_.task->resources.gpus});
  absl::Status status = Loop();
  if (status.ok() && deps_.task->confirm > 0 && !*deps_.stop_requested) status = Confirm();
  if (!status.ok()) Abort();
  // End retry waits and requests on the wire at once.
  if (deps_.interrupt_llm) deps_.interrupt_llm();
  proposer_.Shutdown();  // waits for LLM requests still in flight
  summary_.rejected_proposals = proposer_.counts().rejected;
  summary_.duplicate_proposals = proposer_.counts().duplicates;
  summary_.not_novel_proposals = proposer_.counts().not_novel;
  summary_.children = proposer_.children();
  summary_.llm_children = proposer_.slow_children();
  summary_.elapsed = stop_->Elapsed();
  summary_.evaluated = scoreboard_.evaluated();
  summary_.failed = scoreboard_.failed();
  summary_.best_id = scoreboard_.best_id();
  summary_.best_fitness = scoreboard_.best_fitness();
  if (MultiObjective(*deps_.task)) summary_.front = scoreboard_.front();
  // The time of this session counts against the run's time budget on resume.
  if (status.ok()) status = deps_.archive->SetRunState(RunStateJson());
  deps_.progress->Finish();
  if (!status.ok()) return status;
  return summary_;
}

absl::Status Controller::Loop() {
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> recorded,
                            deps_.archive->ListCandidates(archive::ListOptions{}));
  if (recorded.empty()) {
    CAMBRIAN_RETURN_IF_ERROR(SubmitSeed());
  } else {
    CAMBRIAN_RETURN_IF_ERROR(Restore(recorded));
  }
  while (true) {
    if (summary_.stop_reason.empty()) summary_.stop_reason = stop_->Check(*deps_.stop_requested);
    // Checked on every pass, not only while no budget has run out: a stop
    // request must also cut short the jobs still draining after one did.
    if (*deps_.stop_requested) pool_->CancelAll();
    // Nothing more will be submitted: a reply still coming would be wasted.
    if (!summary_.stop_reason.empty() && deps_.interrupt_llm) deps_.interrupt_llm();
    CAMBRIAN_RETURN_IF_ERROR(CollectProposals());
    if (summary_.stop_reason.empty()) CAMBRIAN_RETURN_IF_ERROR(FillSlots());
    if (summary_.stop_reason.empty()) CAMBRIAN_RETURN_IF_ERROR(proposer_.TopUp());
    bool proposing = AwaitingProposals();
    const ProposalBackoff& backoff = proposer_.backoff();
    if (pool_->in_flight() == 0 && backoff.failures() >= kMaxSlowFailures &&
        summary_.stop_reason.empty()) {
      // Nothing is being evaluated and the LLM keeps failing (a bad key, a
      // provider that is down, edits that never apply): do not spin forever.
      summary_.stop_reason = absl::StrCat("LLM proposals failed ", backoff.failures(),
                                          " times in a row; last: ", backoff.last_error());
      proposing = false;
    }
    if (pool_->in_flight() == 0 && !proposing) {
      if (summary_.stop_reason.empty()) {
        summary_.stop_reason = "no new candidate could be proposed (search space exhausted?)";
      }
      return absl::OkStatus();
    }
    std::optional<EvaluationDone> done = pool_->Wait(proposing ? kProposalPoll : kPollInterval);
    if (done) CAMBRIAN_RETURN_IF_ERROR(Record(*std::move(done)));
    deps_.progress->OnTick(State());
    if (deps_.notices) deps_.notices->Tick();
  }
}

void Controller::Abort() {
  // The harness broke: kill what is still running and mark it interrupted,
  // so no candidate stays "running" in the archive.
  pool_->CancelAll();
  while (pool_->in_flight() > 0) {
    std::optional<EvaluationDone> done = pool_->Wait(kPollInterval);
    if (!done) continue;
    // A finished evaluation is kept; one that was cut short is interrupted.
    if (done->evaluation.ok() && done->evaluation->outcome != Outcome::kKilled &&
        deps_.archive->FinishCandidate(done->candidate_id, ToCandidateResult(*done->evaluation))
            .ok()) {
      continue;
    }
    ++summary_.interrupted;
    (void)deps_.archive->SetCandidateStatus(done->candidate_id,
                                            archive::CandidateStatus::kInterrupted);
  }
}

absl::Status Controller::Restore(const std::vector<archive::Candidate>& recorded) {
  // Resume: rebuild the population from the archive, then re-run what was
  // in flight when the previous controller stopped. Counters (and so the
  // evaluation budget) continue from the recorded candidates.
  std::vector<const archive::Candidate*> rerun;
  for (const archive::Candidate& c : recorded) {
    proposer_.Recorded(c.id, c.program_hash, c.mutator);
    stop_->Submitted();
    if (c.status != archive::CandidateStatus::kDone) rerun.push_back(&c);
  }
  for (const archive::Candidate* c : InFinishOrder(recorded)) RestoreCandidate(*c);
  CAMBRIAN_RETURN_IF_ERROR(RestoreState(recorded));
  // Fresh choices for this session, still a function of the run's seed.
  rng_ =
      Rng(deps_.config->seed ^ (static_cast<uint64_t>(stop_->submitted()) * 0x9E3779B97F4A7C15ULL));
  // A candidate the controller died under (still "running", not stopped by
  // Ctrl-C) may be what kills it: counted in the run state before anything
  // runs again, and recorded as controller_crash at the second death.
  std::vector<const archive::Candidate*> crashed;
  std::erase_if(rerun, [this, &crashed](const archive::Candidate* c) {
    // A candidate on a cluster's node cannot be what killed the controller.
    if (deps_.evaluator->Remote()) return false;
    if (c->status != archive::CandidateStatus::kRunning || ++crashes_[c->id] < kMaxCrashes) {
      return false;
    }
    crashed.push_back(c);
    return true;
  });
  CAMBRIAN_RETURN_IF_ERROR(deps_.archive->SetRunState(RunStateJson()));
  LogInfo(absl::StrCat("resuming: ", recorded.size(), " candidates recorded, ", rerun.size(),
                       " to re-run, ", HumanDuration(stop_->Elapsed()), " run so far"));
  for (const archive::Candidate* c : crashed) CAMBRIAN_RETURN_IF_ERROR(RecordCrash(*c));
  // A cluster's jobs outlive the controller: re-attach to those still wanted.
  std::set<std::string> wanted;
  for (const archive::Candidate* c : rerun) wanted.insert(JobName(c->id));
  deps_.evaluator->Resuming(wanted);
  for (const archive::Candidate* c : rerun) {
    CAMBRIAN_RETURN_IF_ERROR(
        deps_.archive->SetCandidateStatus(c->id, archive::CandidateStatus::kRunning));
    CAMBRIAN_ASSIGN_OR_RETURN(const Program* program, proposer_.ProgramOf(c->id));
    proposer_.Submitted(c->id, c->program_hash, c->mutator);
    descriptions_[c->id] = absl::StrCat(c->mutator, ": ", c->description, " (re-run)");
    island_of_[c->id] = c->island;
    pool_->Submit({c->id, *program, EvaluationSeed(deps_.config->seed, c->id)});
  }
  return absl::OkStatus();
}

absl::Status Controller::RecordCrash(const archive::Candidate& c) {
  LogWarning(absl::StrCat("#", c.id, " was being evaluated when the controller died ", kMaxCrashes,
                          " times: recorded as controller_crash, not run again (cambrian eval "
                          "can run it by hand)"));
  island_of_[c.id] = c.island;
  evaluator::Evaluation evaluation;
  evaluation.outcome = Outcome::kControllerCrash;
  evaluation.note = absl::StrCat("the controller died while this candidate was being evaluated, ",
                                 kMaxCrashes, " times");
  return Record({c.id, EvaluationSeed(deps_.config->seed, c.id), "", std::move(evaluation)});
}

void Controller::RestoreCandidate(const archive::Candidate& c) {
  mutators::ScoredProgram info;
  info.metrics = c.metrics;
  info.fitness = c.fitness;
  info.objectives = c.objectives;
  info.outcome = c.outcome ? std::string(OutcomeName(*c.outcome)) : "";
  info.feedback = c.feedback;
  proposer_.Finished(c.id, info.outcome);
  scoreboard_.Add(c.id, std::move(info), ObjectivePoint(*deps_.task, c.objectives));
}

absl::Status Controller::SubmitSeed() {
  CAMBRIAN_ASSIGN_OR_RETURN(Program seed, ReadProgramTree(deps_.task->program_root));
  archive::NewCandidate candidate;
  candidate.mutator = "seed";
  candidate.description = "the task's seed program";
  CAMBRIAN_ASSIGN_OR_RETURN(seed_id_, Submit(seed, candidate));
  return absl::OkStatus();
}

absl::Status Controller::FillSlots() {
  while (pool_->in_flight() < pool_->workers() && stop_->Check(*deps_.stop_requested).empty()) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<Child> child, proposer_.Next());
    if (!child) return absl::OkStatus();  // retried after the next result
    CAMBRIAN_RETURN_IF_ERROR(SubmitChild(*std::move(child)));
  }
  return absl::OkStatus();
}

absl::Status Controller::SubmitChild(Child child) {
  archive::NewCandidate candidate;
  candidate.parent_id = child.parent_id;
  candidate.second_parent_id = child.second_parent_id;
  candidate.mutator = child.proposal.mutator;
  candidate.description = child.proposal.description;
  candidate.llm_call_id = child.proposal.llm_call_id;
  candidate.island = child.island;
  CAMBRIAN_ASSIGN_OR_RETURN(int64_t id, Submit(child.proposal.program, candidate));
  proposer_.Took(id, child);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Controller::Submit(const Program& program,
                                           archive::NewCandidate candidate) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::string hash, deps_.archive->PutProgram(program));
  candidate.program_hash = hash;
  candidate.status = archive::CandidateStatus::kRunning;
  CAMBRIAN_ASSIGN_OR_RETURN(int64_t id, deps_.archive->AddCandidate(candidate));
  proposer_.Submitted(id, hash, candidate.mutator);
  descriptions_[id] = absl::StrCat(candidate.mutator, ": ", candidate.description);
  island_of_[id] = candidate.island;
  stop_->Submitted();
  pool_->Submit({id, program, EvaluationSeed(deps_.config->seed, id)});
  return id;
}

absl::Status Controller::Record(EvaluationDone done) {
  const int64_t id = done.candidate_id;
  proposer_.Released(id);
  if (!done.evaluation.ok()) {
    (void)deps_.archive->SetCandidateStatus(id, archive::CandidateStatus::kInterrupted);
    return Annotate(done.evaluation.status(), absl::StrCat("evaluating candidate #", id));
  }
  const evaluator::Evaluation& evaluation = *done.evaluation;
  if (evaluation.outcome == Outcome::kKilled && *deps_.stop_requested) {
    ++summary_.interrupted;
    return deps_.archive->SetCandidateStatus(id, archive::CandidateStatus::kInterrupted);
  }
  archive::CandidateResult result = ToCandidateResult(evaluation);
  // The result and the search state it changes are one transaction.
  CAMBRIAN_ASSIGN_OR_RETURN(const bool new_best, Absorb(id, result));
  NoteResult(id, evaluation, new_best);
  if (id == seed_id_ && !evaluation.fitness && !deps_.config->seed_may_fail) {
    summary_.seed_failure =
        absl::StrCat("the seed #", id, " failed (", std::string(OutcomeName(evaluation.outcome)),
                     "): ", evaluation.note.empty() ? "no fitness" : evaluation.note);
    stop_->Halt("the seed failed");
  }
  result.run_state = RunStateJson();
  if (absl::Status finished = deps_.archive->FinishCandidate(id, result); !finished.ok()) {
    (void)deps_.archive->SetCandidateStatus(id, archive::CandidateStatus::kInterrupted);
    return Annotate(finished, absl::StrCat("recording candidate #", id));
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> Controller::Absorb(int64_t id, const archive::CandidateResult& result) {
  mutators::ScoredProgram info;
  info.metrics = result.metrics;
  info.fitness = result.fitness;
  info.objectives = result.objectives;
  info.outcome = std::string(OutcomeName(result.outcome));
  info.feedback = result.feedback;
  for (const archive::StageRecord& stage : result.stages) {
    if (stage.outcome != Outcome::kOk) info.failure = stage.output_tail;
  }
  Point objectives = ObjectivePoint(*deps_.task, result.objectives);
  const bool new_best = scoreboard_.Add(id, std::move(info), objectives);
  proposer_.Finished(id, std::string(OutcomeName(result.outcome)), result.fitness);
  int island = island_of_[id];
  island_of_.erase(id);
  CAMBRIAN_ASSIGN_OR_RETURN(Metrics features, FeatureMetrics(id, result.metrics));
  for (const std::string& line :
       population_.Add(id, island, result.fitness, features, std::move(objectives))) {
    LogInfo(line);
  }
  return new_best;
}

void Controller::NoteResult(int64_t id, const evaluator::Evaluation& evaluation, bool new_best) {
  std::string line = absl::StrFormat("#%d %s", id, OutcomeName(evaluation.outcome));
  if (evaluation.fitness && MultiObjective(*deps_.task)) {
    for (const ObjectiveSpec& objective : deps_.task->objectives) {
      auto it = evaluation.objectives.find(objective.name);
      if (it != evaluation.objectives.end()) {
        absl::StrAppend(&line, absl::StrFormat(" %s %.6g", objective.name, it->second));
      }
    }
    if (new_best && scoreboard_.scored().size() > 1) absl::StrAppend(&line, " (on the front)");
  } else if (evaluation.fitness) {
    absl::StrAppend(&line, absl::StrFormat(" fitness %.6g", *evaluation.fitness));
    // The first score is the best by default, not news.
    if (new_best && scoreboard_.scored().size() > 1) absl::StrAppend(&line, " (new best)");
  } else {
    for (const evaluator::StageResult& stage : evaluation.stages) {
      if (stage.outcome != Outcome::kOk) {
        absl::StrAppend(&line, " at stage '", stage.name, "'",
                        stage.note.empty() ? "" : absl::StrCat(": ", stage.note));
      }
    }
  }
  stop_->Evaluated(new_best);
  if (deps_.notices) {
    // News: a best that is not the seed (a child that finished before the
    // seed and beat nothing yet known is still news when it is the best).
    const bool news =
        new_best && (seed_id_ != 0 ? id != seed_id_ : scoreboard_.scored().size() > 1);
    deps_.notices->Evaluated(id, evaluation.fitness, news, evaluation.note);
  }
  absl::StrAppend(&line, "  <- ", descriptions_[id]);
  descriptions_.erase(id);
  deps_.progress->OnCandidate(line);
}

absl::Status Controller::CollectProposals() {
  CAMBRIAN_ASSIGN_OR_RETURN(std::string halt, proposer_.Collect());
  if (!halt.empty()) stop_->Halt(halt);
  return absl::OkStatus();
}

bool Controller::AwaitingProposals() const {
  return summary_.stop_reason.empty() && proposer_.Awaiting();
}

ProgressState Controller::State() const {
  ProgressState state;
  state.evaluated = scoreboard_.evaluated();
  state.budget = deps_.config->max_evaluations;
  state.in_flight = pool_->in_flight();
  state.failed = scoreboard_.failed();
  state.best_id = scoreboard_.best_id();
  state.best_fitness = scoreboard_.best_fitness();
  state.elapsed = stop_->Elapsed();
  state.since_improvement = stop_->SinceImprovement();
  if (deps_.spend != nullptr) {
    mutators::Spend spend = deps_.spend->settled();
    state.llm_calls = spend.calls;
    state.llm_cost_usd = spend.cost_usd;
    state.llm_tokens = spend.input_tokens + spend.output_tokens;
    ProposalPool::Activity activity = proposer_.SlowActivity();
    state.llm_out = activity.out;
    if (activity.oldest) state.llm_oldest = deps_.clock->Now() - *activity.oldest;
    state.llm_children = proposer_.slow_children();
    state.children = proposer_.children();
  }
  if (deps_.llm_status) state.llm_status = deps_.llm_status();
  state.warning = deps_.warning;
  return state;
}

}  // namespace cambrian::orchestrator
