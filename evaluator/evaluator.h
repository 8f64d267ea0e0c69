// Runs a candidate's stages in order through the sandbox, merges the metrics
// each stage reports, stops at the first failed stage or pass_if, and scores.
#ifndef CAMBRIAN_EVALUATOR_EVALUATOR_H_
#define CAMBRIAN_EVALUATOR_EVALUATOR_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/outcome.h"
#include "common/program.h"
#include "common/task.h"
#include "evaluator/fitness.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

struct StageResult {
  std::string name;
  Outcome outcome = Outcome::kOk;  // stage-level: build_error / wrong_answer are set here
  sandbox::JobResult job;
  uint64_t seed = 0;
  std::string note;                // e.g. "pass_if 'correct == 1' failed (correct = 0)"
};

struct Evaluation {
  Outcome outcome = Outcome::kOk;  // the first failing stage's outcome, else kOk
  std::vector<StageResult> stages; // the stages that ran, in order
  Metrics metrics;                 // merged over the stages that ran
  std::string feedback;            // the last non-empty "feedback" a stage reported
  std::optional<double> fitness;   // set only if outcome == kOk
};

struct EvaluatorOptions {
  std::filesystem::path jobs_root;  // job directories are created under it
  bool keep_job_dirs = false;       // otherwise a job directory is removed afterwards
};

class Evaluator {
 public:
  // `task`, `sandbox` and `fitness` must outlive the Evaluator.
  Evaluator(const Task& task, sandbox::Sandbox& sandbox, const FitnessFunction& fitness,
            EvaluatorOptions options);

  // Evaluates `program` in a fresh job directory named after `job_name`
  // (e.g. "c17"). Each stage gets CAMBRIAN_SEED = seed + stage index. A
  // failing candidate is an OK result with a non-kOk outcome. Thread-safe as
  // long as job names differ. `cancel` as in sandbox::JobSpec.
  [[nodiscard]] absl::StatusOr<Evaluation> Evaluate(const Program& program,
                                                    const std::string& job_name, uint64_t seed,
                                                    const std::atomic<bool>* cancel) const;

 private:
  const Task& task_;
  sandbox::Sandbox& sandbox_;
  const FitnessFunction& fitness_;
  EvaluatorOptions options_;
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_EVALUATOR_H_
