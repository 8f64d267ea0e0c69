// Task profiles: `default_profile` and [profiles.NAME] (docs/tasks.md). A
// profile sets environment variables for every stage and may override stage
// timeouts, the memory cap, the GPUs a job holds and which of the task's
// objectives count.
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "evaluator/expression.h"
#include "evaluator/task_loader_internal.h"

namespace cambrian::evaluator::internal {
namespace {

// Names a profile may not set: the harness's own variables and the host's
// allow-listed ones (see sandbox/environment.h), which the job must see as the
// harness sets them.
bool IsReservedEnvName(const std::string& name) {
  static const std::set<std::string> kReserved = {
      "PATH", "LANG", "LC_ALL", "TZ", "HOME", "TMPDIR", "CUDA_VISIBLE_DEVICES"};
  return name.rfind("CAMBRIAN_", 0) == 0 || kReserved.count(name) > 0;
}

absl::Status LoadProfileEnv(TomlTable& profile, std::map<std::string, std::string>* env) {
  constexpr char kExpected[] = "a table of strings like { MY_MODE = \"fast\" }";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table, profile.OptionalTable("env", kExpected));
  if (table == nullptr) return absl::OkStatus();
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    if (!IsMetricName(name)) {
      return profile.Error(
          "env", absl::StrCat("'", name, "' is not a variable name ([A-Za-z_][A-Za-z0-9_]*)"));
    }
    if (IsReservedEnvName(name)) {
      return profile.Error("env", absl::StrCat("'", name,
                                               "' is set by the harness; a profile may not set "
                                               "CAMBRIAN_*, PATH, LANG, LC_ALL, TZ, HOME, TMPDIR "
                                               "or CUDA_VISIBLE_DEVICES"));
    }
    if (!node.is_string()) {
      return profile.Error("env", absl::StrCat("variable '", name, "': expected a string, got ",
                                               DescribeNode(node)));
    }
    (*env)[name] = node.as_string()->get();
  }
  return absl::OkStatus();
}

// Stage timeouts a profile overrides, by stage name; applied to `stages`.
absl::Status LoadProfileTimeouts(TomlTable& profile, std::vector<StageSpec>* stages) {
  constexpr char kExpected[] = "a table of stage names to durations like { train = \"5m\" }";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table, profile.OptionalTable("timeouts", kExpected));
  if (table == nullptr) return absl::OkStatus();
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    auto stage = std::find_if(stages->begin(), stages->end(),
                              [&](const StageSpec& spec) { return spec.name == name; });
    if (stage == stages->end()) {
      return profile.Error("timeouts", absl::StrCat("no stage is named \"", name, "\""));
    }
    absl::StatusOr<absl::Duration> parsed = node.is_string()
                                                ? ParseDuration(node.as_string()->get())
                                                : absl::InvalidArgumentError("not a string");
    if (!parsed.ok() || *parsed <= absl::ZeroDuration()) {
      return profile.Error(
          "timeouts", absl::StrCat("stage '", name, "': expected a duration like \"30s\", got ",
                                   DescribeNode(node)));
    }
    stage->timeout = *parsed;
  }
  return absl::OkStatus();
}

}  // namespace

// Every profile is validated, whichever is selected, so a typo in one that
// only a GPU machine uses is still caught on a laptop.
absl::Status LoadProfiles(TomlTable& root, const TaskPaths& paths, const std::string& wanted,
                          Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table,
                            root.OptionalTable("profiles", "a table of [profiles.NAME] tables"));
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> default_profile,
                            root.OptionalString("default_profile", "a profile name"));
  if (table == nullptr) {
    if (default_profile.has_value()) {
      return root.Error("default_profile", "the task declares no [profiles.NAME] table");
    }
    if (wanted.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(paths.file,
                                                   ": key 'profiles': unknown profile '", wanted,
                                                   "' (the task declares no profiles)"));
  }
  TomlTable profiles(*table, "profiles", paths.file);
  for (const auto& [key, node] : *table) task->profiles.emplace_back(key.str());
  std::sort(task->profiles.begin(), task->profiles.end());
  if (!default_profile.has_value()) {
    return root.Error("default_profile",
                      "missing: a task with [profiles] must name its default one");
  }
  const std::string chosen = wanted.empty() ? *default_profile : wanted;
  const std::string known = absl::StrJoin(task->profiles, ", ");
  if (std::find(task->profiles.begin(), task->profiles.end(), *default_profile) ==
      task->profiles.end()) {
    return root.Error("default_profile", absl::StrCat("no profile is named '", *default_profile,
                                                      "' (expected one of: ", known, ")"));
  }
  if (!table->contains(chosen)) {
    return absl::InvalidArgumentError(absl::StrCat(paths.file,
                                                   ": key 'profiles': unknown profile '", chosen,
                                                   "' (expected one of: ", known, ")"));
  }
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    if (!node.is_table()) return profiles.WrongType(name, "a table like { env = { ... } }");
    TomlTable profile(*node.as_table(), profiles.KeyPath(name), paths.file);
    CAMBRIAN_RETURN_IF_ERROR(
        profile.AllowOnly({"description", "env", "timeouts", "memory", "gpus", "objectives"}));
    CAMBRIAN_RETURN_IF_ERROR(profile.OptionalString("description", "a string").status());
    std::map<std::string, std::string> env;
    CAMBRIAN_RETURN_IF_ERROR(LoadProfileEnv(profile, &env));
    std::vector<StageSpec> stages = task->stages;
    CAMBRIAN_RETURN_IF_ERROR(LoadProfileTimeouts(profile, &stages));
    int64_t memory = task->resources.memory_bytes;
    CAMBRIAN_RETURN_IF_ERROR(LoadBytes(profile, "memory", &memory));
    int gpus = task->resources.gpus;
    CAMBRIAN_RETURN_IF_ERROR(LoadCount(profile, "gpus", 0, &gpus));
    std::vector<ObjectiveSpec> objectives = task->objectives;
    CAMBRIAN_RETURN_IF_ERROR(LoadProfileObjectives(profile, *task, &objectives));
    if (name != chosen) continue;
    task->objectives = std::move(objectives);
    task->profile = name;
    task->resources.memory_bytes = memory;
    task->resources.gpus = gpus;
    task->stage_env = std::move(env);
    task->stages = std::move(stages);
  }
  return absl::OkStatus();
}

}  // namespace cambrian::evaluator::internal
