// A compiled arithmetic/logical expression over metric names, as used by a
// task's `pass_if` and `fitness.score` ("gflops", "1/time_s",
// "correct == 1 && max_err < 1e-3"). The syntax is muparser's: + - * / ^,
// comparisons (== != < <= > >=), && ||, ?:, and functions such as sqrt, log,
// exp, abs, min, max. A comparison yields 1 or 0.
#ifndef CAMBRIAN_EVALUATOR_EXPRESSION_H_
#define CAMBRIAN_EVALUATOR_EXPRESSION_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace cambrian::evaluator {

// True if `name` is a valid metric name: [A-Za-z_][A-Za-z0-9_]*.
bool IsMetricName(const std::string& name);

// The NotFound status Evaluate returns for a missing metric: message
// "metric 'NAME' is missing", with NAME also attached as a payload so callers
// can word their own message (see MissingMetricName).
absl::Status MissingMetricError(const std::string& name);

// The metric name carried by a MissingMetricError, or nullopt for any other
// status.
std::optional<std::string> MissingMetricName(const absl::Status& status);

// A value type: cheap to copy, holds no muparser state. Thread-safe: Evaluate
// builds a fresh parser per call, so any number of threads may evaluate the
// same Expression at once (a parser costs microseconds; a job costs seconds).
class Expression {
 public:
  // InvalidArgument with muparser's message and the position, e.g.
  // "expression 'gflops +': unexpected end of formula at position 8".
  // Names that are not defined yet are allowed: they are the metrics the
  // expression reads (see Variables).
  [[nodiscard]] static absl::StatusOr<Expression> Compile(const std::string& text);

  // The value over `metrics`. MissingMetricError (NotFound) for the first
  // variable, in name order, that `metrics` lacks; InvalidArgument if muparser
  // fails at evaluation time. The result may be NaN or infinite: callers decide.
  [[nodiscard]] absl::StatusOr<double> Evaluate(const Metrics& metrics) const;

  // The metric names the expression reads, sorted, without duplicates.
  const std::vector<std::string>& Variables() const { return variables_; }

  const std::string& text() const { return text_; }

 private:
  Expression(std::string text, std::vector<std::string> variables)
      : text_(std::move(text)), variables_(std::move(variables)) {}

  std::string text_;
  std::vector<std::string> variables_;
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_EXPRESSION_H_
