// Turns merged metrics into one fitness number.
#ifndef CAMBRIAN_EVALUATOR_FITNESS_H_
#define CAMBRIAN_EVALUATOR_FITNESS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace cambrian::evaluator {

class FitnessFunction {
 public:
  virtual ~FitnessFunction() = default;
  // NotFound if a metric the function needs is missing; InvalidArgument if
  // the result is not a finite number. Thread-safe.
  [[nodiscard]] virtual absl::StatusOr<double> Score(const Metrics& metrics) const = 0;
};

// A muparser expression over metric names, e.g. "gflops" or "1/time_s".
// InvalidArgument (naming the expression and the problem) if it does not parse.
[[nodiscard]] absl::StatusOr<std::unique_ptr<FitnessFunction>> MakeExpressionFitness(
    const std::string& expression);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_FITNESS_H_
