// Where evaluations run: the seam between the controller's job slots and
// the machines. The local executor is the Evaluator itself (this machine's
// sandbox); the Slurm executor (evaluator/slurm_executor.h) runs each
// evaluation as a job on a cluster, through the same stages and judge.
#ifndef CAMBRIAN_EVALUATOR_EXECUTOR_H_
#define CAMBRIAN_EVALUATOR_EXECUTOR_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/program.h"
#include "evaluator/evaluation.h"

namespace cambrian::evaluator {

// "SEED PROGRAM_HASH": what an evaluation computes, the same for every
// controller of a run, so a resumed one recognises work already under way.
inline std::string RequestOf(uint64_t seed, const Program& program) {
  return std::to_string(seed) + " " + ProgramHash(program);
}

class Executor {
 public:
  virtual ~Executor() = default;

  // Evaluates `program` as job `job_name` with stage seeds from `seed`. A
  // failing candidate is an OK result with a non-kOk outcome; an error means
  // the harness (or the cluster) failed. Thread-safe for distinct job names.
  // `cancel` set: stop as soon as possible (outcome kKilled). `gpus`: the
  // GPU indices this evaluation holds on this machine (local only).
  [[nodiscard]] virtual absl::StatusOr<Evaluation> Evaluate(
      const Program& program, const std::string& job_name, uint64_t seed,
      const std::atomic<bool>* cancel,
      const std::optional<std::vector<int>>& gpus = std::nullopt) const = 0;

  // On resume, before any Evaluate: the jobs the controller will ask for
  // again. An executor whose jobs outlive the controller (a cluster's)
  // re-attaches to those and cancels the rest. Nothing to do locally.
  virtual void Resuming(const std::set<std::string>& wanted_jobs) const {}

  // Whether candidates run on other machines (then none can take the
  // controller down with it).
  virtual bool Remote() const { return false; }
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_EXECUTOR_H_
