// Mutators propose children of parents. They know nothing of the sandbox or
// the archive: they get programs in and hand a Proposal back.
#ifndef CAMBRIAN_MUTATORS_MUTATOR_H_
#define CAMBRIAN_MUTATORS_MUTATOR_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/program.h"
#include "common/rng.h"

namespace cambrian::mutators {

struct MutationContext {
  const Program* parent = nullptr;         // required
  const Program* second_parent = nullptr;  // set when NeedsSecondParent()
  std::vector<std::string> editable;       // the task's editable globs
  Rng* rng = nullptr;                      // required; the only randomness used
};

struct Proposal {
  Program program;          // the whole child program
  std::string mutator;      // name() of the mutator that made it
  std::string description;  // human summary, e.g. "kTile 32 -> 64 (matmul.cpp:12)"
};

class Mutator {
 public:
  virtual ~Mutator() = default;
  virtual std::string_view name() const = 0;
  // Crossover needs two parents; the controller supplies second_parent.
  virtual bool NeedsSecondParent() const { return false; }
  // FailedPrecondition if this mutator can do nothing with these parents (for
  // example a program without knobs); the controller then tries another.
  [[nodiscard]] virtual absl::StatusOr<Proposal> Propose(const MutationContext& context) = 0;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_MUTATOR_H_
