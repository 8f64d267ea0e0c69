#include "orchestrator/commands/preflight.h"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/did_you_mean.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "mutators/knobs.h"

namespace cambrian::orchestrator {
namespace {

// A feature "knob:NAME" must name a knob of the seed: otherwise every
// candidate would lack it and land in no cell.
absl::Status CheckKnobFeatures(const Task& task, const std::vector<mutators::Knob>& knobs) {
  std::vector<std::string_view> names;
  for (const mutators::Knob& knob : knobs) names.push_back(knob.name);
  for (const FeatureSpec& feature : task.features) {
    if (feature.name.rfind("knob:", 0) != 0) continue;
    const std::string name = feature.name.substr(5);
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    std::string hint;
    if (std::optional<std::string> close = ClosestName(name, names)) {
      hint = absl::StrCat(" (did you mean 'knob:", *close, "'?)");
    }
    return absl::InvalidArgumentError(absl::StrCat(
        (task.dir / "task.toml").string(), ": [features] '", feature.name,
        "' names no knob of the seed", hint, "; its knobs: ",
        knobs.empty() ? "none" : absl::StrJoin(knobs, ", ", [](std::string* out, const auto& k) {
          out->append(k.name);
        })));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckSeedMutable(const Task& task, bool have_llm) {
  CAMBRIAN_ASSIGN_OR_RETURN(Program seed, ReadProgramTree(task.program_root));
  absl::StatusOr<std::vector<mutators::Knob>> knobs = mutators::FindKnobs(seed, task.editable);
  if (!knobs.ok()) return Annotate(knobs.status(), "the seed program's knobs");
  CAMBRIAN_RETURN_IF_ERROR(CheckKnobFeatures(task, *knobs));
  if (knobs->empty() && !have_llm) {
    return absl::FailedPreconditionError(
        absl::StrCat("task '", task.name,
                     "': the editable files have no @knob annotations, so the offline "
                     "mutators cannot change anything (see docs/knobs.md)"));
  }
  return absl::OkStatus();
}

}  // namespace cambrian::orchestrator
