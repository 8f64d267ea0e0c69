// Crossover: a child that mixes the @knob values of two parents.
#ifndef CAMBRIAN_MUTATORS_CROSSOVER_MUTATOR_H_
#define CAMBRIAN_MUTATORS_CROSSOVER_MUTATOR_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "mutators/mutator.h"

namespace cambrian::mutators {

// Name "crossover"; needs second_parent. Knobs are matched between the
// parents by file, name and occurrence (the k-th knob of that name in that
// file). For every matched knob whose values differ (and whose value in the
// second parent is valid under the first parent's annotation) the child takes
// the value of either parent with probability 1/2; at least one comes from
// the second parent and, when two or more differ, at least one from the
// first, so the child's knob setting is new. All other text is the first
// parent's. Description: "from the second parent: kTileI 32 -> 64
// (matmul.cpp:14); ...". Errors: InvalidArgument if a parent or the rng is
// missing; FailedPrecondition if no shared knob differs or either parent's
// annotations are malformed. Deterministic given the Rng. Stateless.
class CrossoverMutator final : public Mutator {
 public:
  std::string_view name() const override { return "crossover"; }
  bool NeedsSecondParent() const override { return true; }
  [[nodiscard]] absl::StatusOr<Proposal> Propose(const MutationContext& context) override;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_CROSSOVER_MUTATOR_H_
