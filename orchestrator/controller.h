// The steady-state search: keep every job slot busy with a child of a parent
// chosen from the islands (orchestrator/population.h), record each result as
// it arrives together with the search state it changed, stop on a budget or
// a signal, and resume a stopped run exactly. A pipeline of small named
// steps: Restore or SubmitSeed, then StopRules::Check (stop_rules.h), CollectProposals,
// FillSlots (ProposeChild -> Accept -> SubmitChild), TopUpProposals, Record.
#ifndef CAMBRIAN_ORCHESTRATOR_CONTROLLER_H_
#define CAMBRIAN_ORCHESTRATOR_CONTROLLER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/archive.h"
#include "common/clock.h"
#include "common/rng.h"
#include "common/task.h"
#include "evaluator/evaluator.h"
#include "mutators/llm/embedder.h"
#include "mutators/llm/spend_meter.h"
#include "mutators/mutator.h"
#include "orchestrator/evaluation_pool.h"
#include "orchestrator/notifier.h"
#include "orchestrator/population.h"
#include "orchestrator/progress.h"
#include "orchestrator/proposer.h"
#include "orchestrator/run_config.h"
#include "orchestrator/scoreboard.h"
#include "orchestrator/stop_rules.h"

namespace cambrian::orchestrator {

// A top candidate re-run on more seeds at the end of a run (the task's
// [fitness] confirm / confirm_seeds): its recorded fitness first.
// Mean, spread (sample standard deviation, 0 for one value) and count.
struct Stats {
  double mean = 0;
  double spread = 0;
  int count = 0;
};
Stats StatsOf(const std::vector<double>& values);

// One re-run of a confirmation: its fitness (nullopt: it failed) and, for a
// multi-objective task, its objectives.
struct ConfirmRun {
  std::optional<double> fitness;
  Metrics objectives;
};

struct Confirmation {
  int64_t id = 0;
  std::vector<std::optional<double>> fitness;  // nullopt: that run failed
  double mean = 0;                             // over the runs that scored
  double spread = 0;                           // sample standard deviation (0 for one)
  int failed = 0;
  // A multi-objective task's objectives over the runs that scored, by name.
  std::map<std::string, Stats> objectives;
  // Several objectives: no other confirmed candidate's means dominate its
  // means beyond the noise.
  bool on_front = false;
};

// The done candidates of `recorded` in the order they finished: a resume
// replays results in that order, since with noise which candidate is the
// best (and what is progress) depends on it.
std::vector<const archive::Candidate*> InFinishOrder(
    const std::vector<archive::Candidate>& recorded);

// Marks the confirmed candidates whose means no other's dominate (a
// multi-objective task; nothing otherwise).
void MarkConfirmedFront(const Task& task, std::vector<Confirmation>* confirmed);

struct RunSummary {
  int64_t evaluated = 0;  // over the whole run, earlier sessions included
  int64_t failed = 0;
  int64_t interrupted = 0;          // in flight when the run was stopped
  int64_t rejected_proposals = 0;   // refused by the edit policy or the mutator
  int64_t duplicate_proposals = 0;  // children identical to an earlier candidate
  int64_t not_novel_proposals = 0;  // layout-only, or too like the parent
  int64_t children = 0;             // candidates but the seed, over the whole run
  int64_t llm_children = 0;         // those a slow (LLM) mutator made
  std::optional<int64_t> best_id;
  std::optional<double> best_fitness;
  // A multi-objective run's Pareto front, ids in the order they joined it.
  std::vector<int64_t> front;
  std::string stop_reason;
  // Why the seed failed, when it did: the run stopped there, since every
  // child of a broken seed would fail the same way. "" when it scored.
  std::string seed_failure;
  absl::Duration elapsed;  // over the whole run, earlier sessions included
  // Best mean first; empty unless the task asks for confirmation.
  std::vector<Confirmation> confirmed;
};

// Everything the controller uses, owned by the caller; all must outlive Run().
struct ControllerDeps {
  const Task* task = nullptr;
  const RunConfig* config = nullptr;
  archive::Archive* archive = nullptr;
  const evaluator::Executor* evaluator = nullptr;  // local, or a cluster's
  std::vector<mutators::Mutator*> mutators;        // weighted by config->mutator_weights
  const mutators::TaskBrief* brief = nullptr;      // for LLM mutators
  mutators::Embedder* embedder = nullptr;          // the novelty filter's; may be null
  const mutators::SpendMeter* spend = nullptr;     // LLM spend, shown in progress; may be null
  std::function<std::string()> llm_status;         // e.g. "openai: circuit open"; may be empty
  std::function<void()> interrupt_llm;             // ends LLM retry waits on a stop; may be empty
  const Clock* clock = nullptr;
  const std::atomic<bool>* stop_requested = nullptr;  // set by a signal handler
  ProgressSink* progress = nullptr;
  std::string warning;  // repeated in every progress line (e.g. no sandbox isolation)
  sandbox::GpuAllocator* gpus = nullptr;  // GPU slots (tasks with resources.gpus > 0); may be null
  RunNotices* notices = nullptr;          // --notify, --notify-cmd; may be null
};

class Controller {
 public:
  explicit Controller(ControllerDeps deps);

  // Evaluates the task's seed program as candidate 1 (or, if the archive
  // already holds candidates, resumes: rebuilds the population and re-runs
  // the ones that were in flight), then searches until a budget is spent,
  // nothing new can be proposed, or stop_requested is set.
  // Every finished candidate is in the archive before Run returns. A non-OK
  // status means the harness itself failed (archive, sandbox); what was
  // recorded stays recorded.
  [[nodiscard]] absl::StatusOr<RunSummary> Run();

 private:
  // How long a wait for a result lasts before the loop looks again.
  static constexpr absl::Duration kPollInterval = absl::Milliseconds(200);

  // controller.cc: the loop, submission, recording, budgets.
  absl::Status Loop();
  void Abort();
  absl::Status SubmitSeed();
  absl::Status Restore(const std::vector<archive::Candidate>& recorded);
  absl::Status RestoreState(const std::vector<archive::Candidate>& recorded);
  void RestoreCandidate(const archive::Candidate& c);
  // Records `c`, in flight at kMaxCrashes controller deaths, as controller_crash.
  absl::Status RecordCrash(const archive::Candidate& c);
  // Records the result in the scoreboard and the islands; true for a new best.
  absl::StatusOr<bool> Absorb(int64_t id, const archive::CandidateResult& result);
  absl::StatusOr<Metrics> FeatureMetrics(int64_t id, const Metrics& metrics);
  std::string RunStateJson() const;
  absl::Status FillSlots();
  absl::Status CollectProposals();
  bool AwaitingProposals() const;
  absl::Status SubmitChild(Child child);
  // The new candidate's id.
  absl::StatusOr<int64_t> Submit(const Program& program, archive::NewCandidate candidate);
  absl::Status Record(EvaluationDone done);
  void NoteResult(int64_t id, const evaluator::Evaluation& evaluation, bool new_best);
  ProgressState State() const;

  // controller_confirm.cc: the top candidates on more seeds.
  absl::Status Confirm();
  // The candidates to confirm: the top `confirm` by fitness, or with
  // several objectives that many of the run's front, spread along it.
  std::vector<Scored> ToConfirm() const;
  absl::Status RecordConfirmation(EvaluationDone done);
  Confirmation Summarise(int64_t id, const std::vector<ConfirmRun>& extra) const;
  void SummariseConfirmations();

  ControllerDeps deps_;
  Rng rng_;
  std::unique_ptr<EvaluationPool> pool_;
  Population population_;
  std::optional<StopRules> stop_;                // budgets and stop reasons; from Run() on
  std::map<int64_t, std::string> descriptions_;  // in flight: id -> "knob: ..."
  std::map<int64_t, int> island_of_;             // in flight: id -> island
  int64_t seed_id_ = 0;                          // this session submitted the seed
  Scoreboard scoreboard_;                        // finished: results, fitness, the best
  Proposer proposer_;                            // mutators, parents, children
  std::map<int64_t, std::vector<ConfirmRun>> confirmations_;  // id -> extra runs
  // Candidates the controller died under, and how often (in the run state).
  static constexpr int kMaxCrashes = 2;
  std::map<int64_t, int> crashes_;
  RunSummary summary_;
};

// The per-evaluation seed handed to jobs as CAMBRIAN_SEED: a hash of the run
// seed and the candidate id, so every evaluation gets fresh inputs.
uint64_t EvaluationSeed(uint64_t run_seed, int64_t candidate_id);

// Converts an evaluation to what the archive stores.
archive::CandidateResult ToCandidateResult(const evaluator::Evaluation& evaluation);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_CONTROLLER_H_
