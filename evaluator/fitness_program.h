// The task's [fitness] program (docs/tasks.md, "A fitness program"): trusted
// code run after the last stage, in a sandbox job of its own, that reads
// every stage's metrics and reports metrics the score and objectives read.
// Internal to the evaluator module.
#ifndef CAMBRIAN_EVALUATOR_FITNESS_PROGRAM_H_
#define CAMBRIAN_EVALUATOR_FITNESS_PROGRAM_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/task.h"
#include "evaluator/evaluation.h"
#include "evaluator/job_specs.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

// The exit status with which the program rejects a candidate.
inline constexpr int kFitnessProgramRejects = 3;

struct FitnessProgramResult {
  Metrics metrics;                    // what it reported (exit 0)
  std::optional<std::string> reject;  // exit kFitnessProgramRejects: why
  std::string feedback;
};

// The program's input ($CAMBRIAN_METRICS) as JSON text: the candidate's
// metrics, and each stage's metrics and sandbox measurements. In a task with
// a judge only judges' metrics (`judged`) are passed: nothing the candidate
// reported itself reaches the score.
std::string FitnessProgramInput(const Task& task, const Evaluation& evaluation,
                                const std::set<std::string>& judged, uint64_t seed);

// Runs the program for candidate `job_name` under `out_root`. A failure of
// the program (a non-zero exit other than kFitnessProgramRejects, a timeout,
// a cap, no report or a malformed one) is FailedPrecondition naming the
// task, the candidate and the program's output: the task is broken, not the
// candidate. Cancelled: Cancelled.
[[nodiscard]] absl::StatusOr<FitnessProgramResult> RunFitnessProgram(
    const Task& task, sandbox::Sandbox& sandbox, const TrustedPlaces& places,
    const std::string& job_name, uint64_t seed, const std::filesystem::path& out_root,
    const std::string& input, const std::atomic<bool>* cancel);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_FITNESS_PROGRAM_H_
