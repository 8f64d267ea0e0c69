#include "evaluator/plausibility.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"

namespace cambrian::evaluator {

absl::StatusOr<std::optional<std::string>> UnjudgedFitnessMetric(
    const Task& task, const std::set<std::string>& judged) {
  if (!HasJudge(task)) return std::optional<std::string>();
  std::vector<std::pair<std::string, std::string>> scores = {{"fitness", task.fitness_score}};
  for (const ObjectiveSpec& objective : task.objectives) {
    scores.emplace_back(absl::StrCat("objective '", objective.name, "'"), objective.expression);
  }
  for (const auto& [what, text] : scores) {
    CAMBRIAN_ASSIGN_OR_RETURN(Expression score, Expression::Compile(text));
    for (const std::string& name : score.Variables()) {
      if (judged.count(name) == 0) {
        return std::optional<std::string>(absl::StrCat(
            what, " metric '", name,
            "' was not reported by a judge; in a task with a judge only judges' metrics "
            "may decide a score (docs/trust.md)"));
      }
    }
  }
  return std::optional<std::string>();
}

absl::StatusOr<std::optional<std::string>> ImplausibleReason(const Task& task, double fitness,
                                                             const Metrics& metrics) {
  if (task.plausible_lo && task.plausible_hi &&
      !(fitness >= *task.plausible_lo && fitness <= *task.plausible_hi)) {
    return std::optional<std::string>(
        absl::StrFormat("fitness %.6g is outside the task's plausible range [%g, %g]", fitness,
                        *task.plausible_lo, *task.plausible_hi));
  }
  if (task.plausible_if.empty()) return std::optional<std::string>();
  CAMBRIAN_ASSIGN_OR_RETURN(Expression check, Expression::Compile(task.plausible_if));
  absl::StatusOr<double> value = check.Evaluate(metrics);
  if (std::optional<std::string> missing = MissingMetricName(value.status()); missing) {
    return std::optional<std::string>(absl::StrCat("plausible_if needs metric '", *missing,
                                                   "', which no stage reported (fails closed)"));
  }
  CAMBRIAN_RETURN_IF_ERROR(value.status());
  if (*value != 0 && !std::isnan(*value)) return std::optional<std::string>();
  std::string values;
  for (const std::string& name : check.Variables()) {
    auto it = metrics.find(name);
    if (it != metrics.end())
      absl::StrAppend(&values, values.empty() ? "" : ", ", name, " = ", it->second);
  }
  return std::optional<std::string>(
      absl::StrCat("implausible: plausible_if '", task.plausible_if, "' failed (", values, ")"));
}

}  // namespace cambrian::evaluator
