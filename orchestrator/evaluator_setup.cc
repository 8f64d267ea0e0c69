#include "orchestrator/evaluator_setup.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"
#include "orchestrator/task_locator.h"
#include "sandbox/gpu.h"

namespace cambrian::orchestrator {

absl::StatusOr<std::unique_ptr<evaluator::Evaluator>> MakePreparedEvaluator(
    const Task& task, sandbox::Sandbox& sandbox, const evaluator::FitnessFunction& fitness,
    evaluator::EvaluatorOptions options) {
  if (options.kernels_dir.empty()) {
    std::optional<std::filesystem::path> kernels = BuiltinKernelsDir();
    if (kernels) options.kernels_dir = std::filesystem::absolute(*kernels).lexically_normal();
  }
  // A score that reads no metric (a constant, as `eval --until` sets) has
  // nothing to fake.
  absl::StatusOr<evaluator::Expression> score = evaluator::Expression::Compile(task.fitness_score);
  if (!HasJudge(task) && (!score.ok() || !score->Variables().empty())) {
    LogWarning(absl::StrCat("task '", task.name,
                            "' has no judge: its scores are reported by the candidate's own "
                            "process, which can fake them (docs/trust.md)"));
  }
  auto evaluator = std::make_unique<evaluator::Evaluator>(task, sandbox, fitness, options);
  if (!task.setup.empty()) {
    LogInfo(absl::StrCat("running the task's trusted setup in ", options.setup_dir.string()));
  }
  CAMBRIAN_RETURN_IF_ERROR(evaluator->Prepare());
  return evaluator;
}

absl::StatusOr<std::vector<int>> MachineGpusFor(const Task& task) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<sandbox::GpuInfo> found, sandbox::DetectGpus());
  std::vector<int> indices;
  for (const sandbox::GpuInfo& gpu : found) indices.push_back(gpu.index);
  if (static_cast<int>(indices.size()) < task.resources.gpus) {
    return absl::FailedPreconditionError(
        absl::StrCat("task '", task.name, "' needs ", task.resources.gpus,
                     " GPU(s) per job and this machine has ", indices.size(),
                     " (nvidia-smi -L; see `cambrian doctor`)"));
  }
  return indices;
}

}  // namespace cambrian::orchestrator
