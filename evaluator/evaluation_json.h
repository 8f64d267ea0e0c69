// An Evaluation as JSON and back: what `cambrian eval --json` prints and
// `--result FILE` writes, and what the Slurm executor reads from a node.
//
//   {"outcome": "ok", "fitness": 2.5 | null, "metrics": {...},
//    "feedback": "...", "note": "...",
//    "stages": [{"name", "outcome", "note", "seed", "exit_code",
//                "term_signal", "wall_s", "cpu_s", "peak_rss_bytes",
//                "output_bytes", "output_tail", "detail", "judged"}]}
//
// A judged stage's judge is not carried beyond the "judged" mark: its
// output is already in the stage's output tail (evaluator.h).
#ifndef CAMBRIAN_EVALUATOR_EVALUATION_JSON_H_
#define CAMBRIAN_EVALUATOR_EVALUATION_JSON_H_

#include <string>

#include "absl/status/statusor.h"
#include "evaluator/evaluator.h"

namespace cambrian::evaluator {

// One line of JSON (no trailing newline).
std::string EvaluationToJson(const Evaluation& evaluation);

// DataLoss naming what is wrong when `text` is not such a document (an
// unknown outcome, a stage without a name, a non-finite fitness, ...).
[[nodiscard]] absl::StatusOr<Evaluation> EvaluationFromJson(const std::string& text);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_EVALUATION_JSON_H_
