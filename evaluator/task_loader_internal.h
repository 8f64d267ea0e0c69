// Pieces of the task loader shared by its files (task_loader.cc, the
// profiles in task_profiles.cc). Internal to the evaluator module.
#ifndef CAMBRIAN_EVALUATOR_TASK_LOADER_INTERNAL_H_
#define CAMBRIAN_EVALUATOR_TASK_LOADER_INTERNAL_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/task.h"
#include "common/toml_table.h"

namespace cambrian::evaluator::internal {

// Where the task lives, in the two spellings we need: as the user gave it
// (for messages) and absolute (for the Task).
struct TaskPaths {
  std::string file;                 // the task.toml as given, for messages
  std::filesystem::path shown_dir;  // its directory as given
  std::filesystem::path dir;        // absolute
};

// A directory named by `key`, relative to the task directory; it must exist.
[[nodiscard]] absl::StatusOr<std::filesystem::path> ExistingDir(TomlTable& table,
                                                                std::string_view key,
                                                                const TaskPaths& paths);

// InvalidArgument at `key` if `text` is not a valid expression.
[[nodiscard]] absl::Status CheckExpression(TomlTable& table, std::string_view key,
                                           const std::string& text);

// A positive duration like "30s" at `key`; absent keeps `*duration`.
[[nodiscard]] absl::Status LoadDuration(TomlTable& table, std::string_view key,
                                        absl::Duration* duration);

// The optional [trusted] table (root, setup, setup_timeout, hidden) and the
// [fitness] table (task_trust.cc).
[[nodiscard]] absl::Status LoadTrusted(TomlTable& root, const TaskPaths& paths, Task* task);
[[nodiscard]] absl::Status LoadFitness(TomlTable& root, const TaskPaths& paths, Task* task);

// task_objectives.cc: `goal` ("maximize" | "minimize", required); a noise
// at `key` (a number >= 0, or "N%"; absent keeps `*noise`); a [lo, hi] range
// at `key` (absent keeps both); the optional [[objectives]] tables; a
// profile's `objectives` (a list of the task's objective names: sets
// `*chosen`, absent keeps it); and the headline, copied from the first
// objective into the task's fitness_score, goal and noise.
[[nodiscard]] absl::StatusOr<Goal> LoadGoal(TomlTable& table);
[[nodiscard]] absl::Status LoadNoise(TomlTable& table, std::string_view key, Noise* noise);
[[nodiscard]] absl::Status LoadRange(TomlTable& table, std::string_view key,
                                     std::optional<double>* lo, std::optional<double>* hi);
[[nodiscard]] absl::Status LoadObjectives(TomlTable& root, const TaskPaths& paths, Task* task);
[[nodiscard]] absl::Status LoadProfileObjectives(TomlTable& profile, const Task& task,
                                                 std::vector<ObjectiveSpec>* chosen);
void UseHeadline(Task* task);

// An integer in min..4096 at `key`; absent keeps `*count`.
[[nodiscard]] absl::Status LoadCount(TomlTable& table, std::string_view key, int min, int* count);

// A byte size given as a string like "4GiB"; absent keeps `*bytes`.
[[nodiscard]] absl::Status LoadBytes(TomlTable& table, std::string_view key, int64_t* bytes);

// `default_profile` and the [profiles.NAME] tables: validates every profile
// and applies `wanted` ("" = the default) to `task` (stage_env, stage
// timeouts, memory, gpus; task->profile and task->profiles).
[[nodiscard]] absl::Status LoadProfiles(TomlTable& root, const TaskPaths& paths,
                                        const std::string& wanted, Task* task);

}  // namespace cambrian::evaluator::internal

#endif  // CAMBRIAN_EVALUATOR_TASK_LOADER_INTERNAL_H_
