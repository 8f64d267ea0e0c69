// The knob mutator: an offline mutation that changes one (sometimes two)
// @knob values of the parent and nothing else. See docs/knobs.md.
#ifndef CAMBRIAN_MUTATORS_KNOB_MUTATOR_H_
#define CAMBRIAN_MUTATORS_KNOB_MUTATOR_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/rng.h"
#include "mutators/knobs.h"
#include "mutators/mutator.h"

namespace cambrian::mutators {

// A valid value for `knob` other than its current one, drawn from `rng`:
//   choices:    another choice, uniformly;
//   int range:  with p=0.5 a step of +-1..max(1, span/8), else uniform over
//               the other values (log-uniform if `log`);
//   real range: with p=0.5 a perturbation (additive, span/8 at most, or
//               multiplicative if `log`), else uniform (log-uniform if `log`);
//   sequence:   one of insert, delete, replace, swap, among those that keep
//               the length within bounds and change the list.
// Requires KnobCanChange(knob). Deterministic given the Rng state.
std::string DrawKnobValue(const Knob& knob, Rng* rng);

// Name "knob". Picks one changeable knob of the parent's editable code
// uniformly, and with probability 0.25 a second, different one, and gives
// each a DrawKnobValue. The child differs from the parent only in those
// literals. Description: "kTileI 32 -> 64 (matmul.cpp:14)", two changes
// joined by "; ". Errors: InvalidArgument if parent or rng is missing;
// FailedPrecondition "no @knob annotations in editable code" if there are
// none, FailedPrecondition too if no knob can change or the annotations are
// malformed (the controller then tries another mutator). Stateless.
class KnobMutator final : public Mutator {
 public:
  std::string_view name() const override { return "knob"; }
  [[nodiscard]] absl::StatusOr<Proposal> Propose(const MutationContext& context) override;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_KNOB_MUTATOR_H_
