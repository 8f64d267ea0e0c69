// What an evaluation of a candidate found: each stage's result, the merged
// metrics and the fitness. Made by the Evaluator (evaluator.h) on this
// machine, or read back from a cluster node (evaluation_json.h).
#ifndef CAMBRIAN_EVALUATOR_EVALUATION_H_
#define CAMBRIAN_EVALUATOR_EVALUATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "common/outcome.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

// In a judged stage's output tail, the line before the judge's own output.
inline constexpr char kJudgeOutputMarker[] = "----- judge -----\n";

struct StageResult {
  std::string name;
  Outcome outcome = Outcome::kOk;  // stage-level: build_error / wrong_answer are set here
  // The stage's job; for a judged stage, the candidate's worker, whose
  // output_tail is followed by kJudgeOutputMarker and the judge's.
  sandbox::JobResult job;
  std::optional<sandbox::JobResult> judge;  // a judged stage's judge
  uint64_t seed = 0;
  std::string note;  // e.g. "pass_if 'correct == 1' failed (correct = 0)"
  Metrics metrics;   // what the stage's report held (a judged stage: its judge's)
};

struct Evaluation {
  Outcome outcome = Outcome::kOk;   // the first failing stage's outcome, else kOk
  std::vector<StageResult> stages;  // the stages that ran, in order
  Metrics metrics;                  // merged over the stages that ran
  std::string feedback;             // the last non-empty "feedback" a stage reported
  std::optional<double> fitness;    // set only if outcome == kOk
  // A multi-objective task's objectives by name (set only if outcome == kOk;
  // the task's order is in Task::objectives). Empty for a single fitness.
  Metrics objectives;
  // Why the candidate failed, for people and for the next LLM prompt: the
  // failing stage's note (or the sandbox's detail), prefixed "stage 'NAME': ",
  // or the fitness problem ("fitness needs metric 'gflops', which no stage
  // reported"). Empty if outcome == kOk.
  std::string note;
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_EVALUATION_H_
