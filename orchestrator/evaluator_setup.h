// The evaluator a run or a replay uses, ready to evaluate: the trusted
// evaluation library found, the task's [trusted] setup run.
#ifndef CAMBRIAN_ORCHESTRATOR_EVALUATOR_SETUP_H_
#define CAMBRIAN_ORCHESTRATOR_EVALUATOR_SETUP_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/task.h"
#include "evaluator/evaluator.h"
#include "sandbox/sandbox.h"

namespace cambrian::orchestrator {

// An Evaluator over `options` with kernels_dir set to BuiltinKernelsDir()
// (absolute) unless given, after Prepare(). Logs that the setup runs, and
// warns once when the task has no judge (its scores then come from the
// candidate's own process: docs/trust.md). Errors: Prepare's.
[[nodiscard]] absl::StatusOr<std::unique_ptr<evaluator::Evaluator>> MakePreparedEvaluator(
    const Task& task, sandbox::Sandbox& sandbox, const evaluator::FitnessFunction& fitness,
    evaluator::EvaluatorOptions options);

// The machine's GPU indices (nvidia-smi), for a task that needs
// resources.gpus per job. FailedPrecondition naming both counts when the
// machine has fewer; nvidia-smi's own failure as is.
[[nodiscard]] absl::StatusOr<std::vector<int>> MachineGpusFor(const Task& task);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_EVALUATOR_SETUP_H_
