// One evaluation of a program through a task's stages, outside a run: in a
// fresh sandbox and work directory, with no database. Shared by `eval` and
// `check`.
#ifndef CAMBRIAN_ORCHESTRATOR_COMMANDS_EVAL_ONCE_H_
#define CAMBRIAN_ORCHESTRATOR_COMMANDS_EVAL_ONCE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/program.h"
#include "common/task.h"
#include "evaluator/evaluator.h"
#include "evaluator/fitness.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {

struct EvalSettings {
  std::string sandbox = "auto";  // auto | bwrap | process
  std::string work_dir;          // "": a temporary directory, removed after
  uint64_t seed = 0;             // CAMBRIAN_SEED base; 0: fresh
};

// The GPUs the evaluation's jobs get: the first resources.gpus of the
// machine's, none for a task without GPUs. A task that needs more than the
// machine has is refused, unless `until` (only the stages before a judged
// one run: a build needs no GPU).
[[nodiscard]] absl::StatusOr<std::vector<int>> EvalGpus(const Task& task, bool until);

// A prepared evaluator outside a run: its sandbox, a work directory (a
// fresh temporary one, removed with it, unless settings.work_dir) and the
// task's setup run once. `cambrian worker` evaluates lease after lease
// with one.
class NodeEvaluator {
 public:
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<NodeEvaluator>> Make(
      const Task& task, const EvalSettings& settings);
  ~NodeEvaluator();
  const evaluator::Evaluator& evaluator() const { return *evaluator_; }

 private:
  NodeEvaluator() = default;
  sandbox::SandboxChoice sandbox_;
  std::filesystem::path work_;
  bool temporary_ = false;
  std::unique_ptr<evaluator::FitnessFunction> fitness_;
  std::unique_ptr<evaluator::Evaluator> evaluator_;
};

[[nodiscard]] absl::StatusOr<evaluator::Evaluation> EvaluateOnce(const Task& task,
                                                                 const Program& program,
                                                                 const std::vector<int>& gpus,
                                                                 const EvalSettings& settings);

// Each stage (outcome, exit, wall, CPU, peak memory, detail), the metrics
// and the outcome with the fitness; or all of it as JSON.
void PrintEvaluation(const evaluator::Evaluation& evaluation, bool json);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_COMMANDS_EVAL_ONCE_H_
