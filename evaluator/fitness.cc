#include "evaluator/fitness.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"

namespace cambrian::evaluator {
namespace {

class ExpressionFitness : public FitnessFunction {
 public:
  explicit ExpressionFitness(Expression expression) : expression_(std::move(expression)) {}

  absl::StatusOr<double> Score(const Metrics& metrics) const override {
    CAMBRIAN_ASSIGN_OR_RETURN(double value, expression_.Evaluate(metrics));
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("fitness '", expression_.text(), "' is not finite (", value, ")"));
    }
    return value + 0.0;  // -0 (e.g. from -(x-13)^2) prints and compares as 0
  }

 private:
  Expression expression_;  // immutable; Evaluate is thread-safe
};

}  // namespace

absl::StatusOr<std::unique_ptr<FitnessFunction>> MakeExpressionFitness(
    const std::string& expression) {
  CAMBRIAN_ASSIGN_OR_RETURN(Expression compiled, Expression::Compile(expression));
  return std::make_unique<ExpressionFitness>(std::move(compiled));
}

}  // namespace cambrian::evaluator
