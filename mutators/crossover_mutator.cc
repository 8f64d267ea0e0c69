#include "mutators/crossover_mutator.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "mutators/knobs.h"

namespace cambrian::mutators {
namespace {

using KnobKey = std::tuple<std::string, std::string, int>;  // file, name, occurrence

std::map<KnobKey, const Knob*> IndexKnobs(const std::vector<Knob>& knobs) {
  std::map<KnobKey, const Knob*> index;
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const Knob& knob : knobs) {
    int occurrence = seen[{knob.file, knob.name}]++;
    index[{knob.file, knob.name, occurrence}] = &knob;
  }
  return index;
}

absl::StatusOr<std::vector<Knob>> ParentKnobs(const Program& program,
                                              const std::vector<std::string>& editable,
                                              const char* which) {
  absl::StatusOr<std::vector<Knob>> knobs = FindKnobs(program, editable);
  if (!knobs.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("malformed @knob annotations in the ", which,
                                                      " parent: ", knobs.status().message()));
  }
  return knobs;
}

}  // namespace

absl::StatusOr<Proposal> CrossoverMutator::Propose(const MutationContext& context) {
  if (context.parent == nullptr || context.second_parent == nullptr || context.rng == nullptr) {
    return absl::InvalidArgumentError("crossover: both parents and rng are required");
  }
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<Knob> first,
                            ParentKnobs(*context.parent, context.editable, "first"));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<Knob> second,
                            ParentKnobs(*context.second_parent, context.editable, "second"));
  std::map<KnobKey, const Knob*> second_index = IndexKnobs(second);
  std::vector<KnobAssignment> differing;
  for (const auto& [key, knob] : IndexKnobs(first)) {
    auto other = second_index.find(key);
    if (other == second_index.end() || other->second->value == knob->value) continue;
    if (!ValidateKnobValue(*knob, other->second->value).ok()) continue;
    differing.push_back({knob, other->second->value});
  }
  if (differing.empty()) {
    return absl::FailedPreconditionError(
        "crossover: the parents share no knob whose values differ");
  }
  Rng& rng = *context.rng;
  int64_t n = static_cast<int64_t>(differing.size());
  std::vector<bool> take(differing.size());
  for (size_t i = 0; i < take.size(); ++i) take[i] = rng.Bernoulli(0.5);
  // A child equal to either parent's knob setting teaches nothing new.
  if (std::find(take.begin(), take.end(), true) == take.end())
    take[rng.UniformInt(0, n - 1)] = true;
  if (n >= 2 && std::find(take.begin(), take.end(), false) == take.end()) {
    take[rng.UniformInt(0, n - 1)] = false;
  }
  std::vector<KnobAssignment> assignments;
  std::vector<std::string> descriptions;
  for (size_t i = 0; i < differing.size(); ++i) {
    if (!take[i]) continue;
    assignments.push_back(differing[i]);
    descriptions.push_back(DescribeKnobChange(*differing[i].knob, differing[i].new_value));
  }
  Proposal proposal;
  CAMBRIAN_ASSIGN_OR_RETURN(proposal.program, SetKnobValues(*context.parent, assignments));
  proposal.mutator = std::string(name());
  proposal.description =
      absl::StrCat("from the second parent: ", absl::StrJoin(descriptions, "; "));
  return proposal;
}

}  // namespace cambrian::mutators
