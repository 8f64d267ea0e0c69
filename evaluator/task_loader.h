// Loading and validating a task.toml (the format is documented in
// docs/tasks.md). Everything a later stage would trip over is checked here,
// once, so a bad task fails at startup with a message that points at the line.
#ifndef CAMBRIAN_EVALUATOR_TASK_LOADER_H_
#define CAMBRIAN_EVALUATOR_TASK_LOADER_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "common/task.h"

namespace cambrian::evaluator {

// Loads `task_dir_or_toml` (a task directory holding task.toml, or the path
// of the .toml file itself) into a Task whose paths are absolute, with the
// profile `profile` applied ([profiles.NAME]: its env in Task::stage_env, its
// stage timeouts in Task::stages). An empty `profile` means the task's
// `default_profile`, or none if the task declares no profiles.
//
// Errors:
//   NotFound         the task file does not exist (the message names it);
//   InvalidArgument  anything wrong with its contents. The message starts
//                    with the file as given (and "LINE:COLUMN" where known),
//                    names the key ("stages[1].timeout", stages counted from
//                    0) and says what was expected and what was found, e.g.
//                      tasks/x/task.toml:9:11: key 'stages[1].timeout':
//                      expected a duration like "30s", got integer 30
//                    This covers TOML syntax errors, missing or unknown keys,
//                    wrong types, invalid names, duplicate stage names,
//                    expressions that do not compile (pass_if, fitness.score),
//                    directories that do not exist and editable globs that
//                    match no file; and an unknown profile:
//                      tasks/x/task.toml: key 'profiles': unknown profile
//                      'gpu2' (expected one of: demo, gpu, smoke)
//                    (every declared profile is validated, whichever is
//                    chosen).
// Thread-safe (reads only the file system).
[[nodiscard]] absl::StatusOr<Task> LoadTask(const std::filesystem::path& task_dir_or_toml,
                                            const std::string& profile = "");

// True if `name` is a valid task name: [a-z0-9_-]+.
bool IsTaskName(const std::string& name);
// True if `name` is a valid stage name: [A-Za-z0-9_-]+ (it names a directory).
bool IsStageName(const std::string& name);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_TASK_LOADER_H_
