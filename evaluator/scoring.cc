// Evaluator::Score: after the last stage, the fitness program, the fitness
// and a multi-objective task's objectives (evaluator.h has the protocol).
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "evaluator/evaluator.h"
#include "evaluator/expression.h"
#include "evaluator/fitness_program.h"
#include "evaluator/plausibility.h"

namespace cambrian::evaluator {
namespace {

void Fail(Outcome outcome, std::string note, Evaluation* evaluation) {
  evaluation->outcome = outcome;
  evaluation->note = std::move(note);
  evaluation->fitness.reset();
  evaluation->objectives.clear();
}

}  // namespace

absl::StatusOr<bool> Evaluator::ScoreProgram(const ScoreContext& context,
                                             std::set<std::string>* judged,
                                             Evaluation* evaluation) const {
  if (task_.fitness_program.empty()) return true;
  absl::StatusOr<FitnessProgramResult> program = RunFitnessProgram(
      task_, sandbox_, Places(), context.job_name, context.seed, context.out_root,
      FitnessProgramInput(task_, *evaluation, *judged, context.seed), context.cancel);
  if (absl::IsCancelled(program.status())) {
    Fail(Outcome::kKilled, std::string(program.status().message()), evaluation);
    return false;
  }
  CAMBRIAN_RETURN_IF_ERROR(program.status());
  if (program->reject) {
    Fail(Outcome::kWrongAnswer, absl::StrCat("[fitness] program rejected it: ", *program->reject),
         evaluation);
    return false;
  }
  // Trusted code: its metrics count as a judge's.
  for (const auto& [name, value] : program->metrics) {
    evaluation->metrics[name] = value;
    judged->insert(name);
  }
  if (!program->feedback.empty()) evaluation->feedback = program->feedback;
  return true;
}

absl::Status Evaluator::Score(const ScoreContext& context, std::set<std::string> judged,
                              Evaluation* evaluation) const {
  CAMBRIAN_ASSIGN_OR_RETURN(const bool scored, ScoreProgram(context, &judged, evaluation));
  if (!scored) return absl::OkStatus();
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> unjudged,
                            UnjudgedFitnessMetric(task_, judged));
  if (unjudged) {
    Fail(Outcome::kWrongAnswer, *std::move(unjudged), evaluation);
    return absl::OkStatus();
  }
  absl::StatusOr<double> fitness = fitness_.Score(evaluation->metrics);
  if (!fitness.ok()) {
    std::string note;
    if (std::optional<std::string> missing = MissingMetricName(fitness.status()); missing) {
      note = absl::StrCat("fitness needs metric '", *missing, "', which no stage reported");
    } else if (fitness.status().code() == absl::StatusCode::kInvalidArgument) {
      note = std::string(fitness.status().message());
    } else {
      return Annotate(fitness.status(), "fitness");
    }
    Fail(Outcome::kWrongAnswer, std::move(note), evaluation);
    return absl::OkStatus();
  }
  CAMBRIAN_ASSIGN_OR_RETURN(const bool objectives_ok, ScoreObjectives(evaluation));
  if (!objectives_ok) return absl::OkStatus();
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> implausible,
                            ImplausibleReason(task_, *fitness, evaluation->metrics));
  if (implausible) {
    Fail(Outcome::kImplausible, *std::move(implausible), evaluation);
    return absl::OkStatus();
  }
  evaluation->fitness = *fitness;
  return absl::OkStatus();
}

absl::StatusOr<bool> Evaluator::ScoreObjectives(Evaluation* evaluation) const {
  // One objective too: its bounds hold (its tolerance is replay's).
  if (task_.objectives.empty()) return true;
  Metrics values;
  for (const ObjectiveSpec& objective : task_.objectives) {
    CAMBRIAN_ASSIGN_OR_RETURN(const Expression expression,
                              Expression::Compile(objective.expression));
    absl::StatusOr<double> value = expression.Evaluate(evaluation->metrics);
    const std::string what = absl::StrCat("objective '", objective.name, "'");
    if (std::optional<std::string> missing = MissingMetricName(value.status()); missing) {
      Fail(Outcome::kWrongAnswer,
           absl::StrCat(what, " needs metric '", *missing, "', which no stage reported"),
           evaluation);
      return false;
    }
    if (value.status().code() == absl::StatusCode::kInvalidArgument) {
      Fail(Outcome::kWrongAnswer, absl::StrCat(what, ": ", value.status().message()), evaluation);
      return false;
    }
    CAMBRIAN_RETURN_IF_ERROR(value.status());
    if (!std::isfinite(*value)) {
      Fail(Outcome::kWrongAnswer, absl::StrCat(what, " is not finite (", *value, ")"), evaluation);
      return false;
    }
    if ((objective.lo && *value < *objective.lo) || (objective.hi && *value > *objective.hi)) {
      Fail(Outcome::kImplausible,
           absl::StrFormat("%s = %.6g is outside its bounds [%g, %g]", what, *value,
                           objective.lo.value_or(-INFINITY), objective.hi.value_or(INFINITY)),
           evaluation);
      return false;
    }
    values[objective.name] = *value + 0.0;
  }
  evaluation->objectives = std::move(values);
  return true;
}

}  // namespace cambrian::evaluator
