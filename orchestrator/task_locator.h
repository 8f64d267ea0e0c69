// Finds tasks: a path to a task directory, or the name of a built-in task.
#ifndef CAMBRIAN_ORCHESTRATOR_TASK_LOCATOR_H_
#define CAMBRIAN_ORCHESTRATOR_TASK_LOCATOR_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cambrian::orchestrator {

// Where the built-in tasks live: $CAMBRIAN_TASKS_DIR if set, else the first
// of <exe>/../share/cambrian/tasks (an installed binary), <exe>/../tasks,
// <exe>/../../tasks (a build tree inside the source tree) and the source
// tree the binary was built from that exists.
std::optional<std::filesystem::path> BuiltinTasksDir();

// `name_or_path` if it is an existing directory or task.toml; otherwise the
// built-in task of that name. NotFound listing the built-in names if neither.
[[nodiscard]] absl::StatusOr<std::filesystem::path> ResolveTask(const std::string& name_or_path);

// The built-in LLM prompt templates: $CAMBRIAN_PROMPTS_DIR if set, else
// prompts/ found next to the tasks directory the same way.
std::optional<std::filesystem::path> BuiltinPromptsDir();

// The trusted evaluation library (judges and workers, kernels/PROTOCOL.md):
// $CAMBRIAN_KERNELS_DIR if set, else kernels/ found the same way.
std::optional<std::filesystem::path> BuiltinKernelsDir();

// Directories under BuiltinTasksDir() that hold a task.toml, sorted.
std::vector<std::filesystem::path> ListBuiltinTasks();

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_TASK_LOCATOR_H_
