// Checks of a task that need no job: done before a run directory exists
// (by `run`) and first by `check`.
#ifndef CAMBRIAN_ORCHESTRATOR_COMMANDS_PREFLIGHT_H_
#define CAMBRIAN_ORCHESTRATOR_COMMANDS_PREFLIGHT_H_

#include "absl/status/status.h"
#include "common/task.h"

namespace cambrian::orchestrator {

// Refuses a seed whose knob annotations are broken, a feature "knob:NAME"
// naming no knob of the seed (with the closest name), and a run that has no
// mutator able to change the seed (no knobs and no LLM).
[[nodiscard]] absl::Status CheckSeedMutable(const Task& task, bool have_llm);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_COMMANDS_PREFLIGHT_H_
