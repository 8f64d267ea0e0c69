#include "orchestrator/evaluator_setup.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "orchestrator/task_locator.h"

namespace cambrian::orchestrator {

absl::StatusOr<std::unique_ptr<evaluator::Evaluator>> MakePreparedEvaluator(
    const Task& task, sandbox::Sandbox& sandbox, const evaluator::FitnessFunction& fitness,
    evaluator::EvaluatorOptions options) {
  if (options.kernels_dir.empty()) {
    std::optional<std::filesystem::path> kernels = BuiltinKernelsDir();
    if (kernels) options.kernels_dir = std::filesystem::absolute(*kernels).lexically_normal();
  }
  // (A constant score, as `eval --until` sets, reads no metric to fake.)
  if (!HasJudge(task) && task.fitness_score != "0") {
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

}  // namespace cambrian::orchestrator
