// When a run stops (docs/search.md, "Budgets and stopping"): its budgets
// (evaluations submitted, wall time over every session, patience without a
// new best) and the reasons that come from outside (a signal, an LLM
// spending cap). One of the controller's pipeline pieces: the loop asks
// Check() before each submission.
#ifndef CAMBRIAN_ORCHESTRATOR_STOP_RULES_H_
#define CAMBRIAN_ORCHESTRATOR_STOP_RULES_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "orchestrator/run_config.h"

namespace cambrian::orchestrator {

class StopRules {
 public:
  // The session starts now. `config` and `clock` must outlive this object.
  StopRules(const RunConfig& config, const Clock& clock);

  // A resumed run: what earlier sessions used.
  void Resume(absl::Duration earlier_elapsed, int64_t since_improvement);
  // A candidate was submitted for evaluation (the seed and re-runs included).
  void Submitted() { ++submitted_; }
  // A candidate's result was recorded; `new_best`: it improved the run's best.
  void Evaluated(bool new_best);
  // Stops the run for `reason` (the first reason given is kept).
  void Halt(const std::string& reason);

  // "" while the run may go on, else why it stops: interrupted (a stop was
  // requested), a halt, the evaluation budget, the time budget, patience.
  std::string Check(bool stop_requested) const;

  int64_t submitted() const { return submitted_; }
  int64_t since_improvement() const { return since_improvement_; }
  // Run time over every session.
  absl::Duration Elapsed() const;
  // Wall time since the best last improved (or since this session began).
  absl::Duration SinceImprovement() const;

 private:
  const RunConfig& config_;
  const Clock& clock_;
  absl::Time start_;
  absl::Time last_improvement_;
  absl::Duration earlier_elapsed_;
  int64_t submitted_ = 0;
  int64_t since_improvement_ = 0;
  std::string halted_;
};

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_STOP_RULES_H_
