// Checks on a score after it is computed: that it came from a judge where the
// task has one, and that it is possible at all ([fitness] plausible,
// plausible_if). Internal to the evaluator module.
#ifndef CAMBRIAN_EVALUATOR_PLAUSIBILITY_H_
#define CAMBRIAN_EVALUATOR_PLAUSIBILITY_H_

#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/task.h"

namespace cambrian::evaluator {

// In a task with a judge, the first metric the fitness reads that no judge
// (nor a built-in such as code_lines) reported, as a note for the candidate;
// nullopt if every one did, or the task has no judge. `judged` holds the
// names judges reported. Errors: the score does not compile.
[[nodiscard]] absl::StatusOr<std::optional<std::string>> UnjudgedFitnessMetric(
    const Task& task, const std::set<std::string>& judged);

// Why `fitness` (computed from `metrics`) is implausible for `task`, or
// nullopt: outside [plausible_lo, plausible_hi], or plausible_if is 0, NaN or
// needs a metric nobody reported (fail closed). Errors: plausible_if does not
// compile.
[[nodiscard]] absl::StatusOr<std::optional<std::string>> ImplausibleReason(const Task& task,
                                                                           double fitness,
                                                                           const Metrics& metrics);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_PLAUSIBILITY_H_
