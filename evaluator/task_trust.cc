// The parts of task.toml that decide what a score can be trusted with:
// [trusted] (the evaluator's files, the setup that builds judges, the
// grader-only paths hidden from candidates) and [fitness] (the score, its
// noise, confirmation and plausibility). See docs/tasks.md and docs/trust.md.
#include <glob.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "evaluator/task_loader_internal.h"

namespace cambrian::evaluator::internal {
namespace {

namespace fs = std::filesystem;

// Paths whose masking would leave a job without a system to run on.
constexpr const char* kUnhideable[] = {"/",    "/usr",   "/usr/lib", "/usr/bin", "/bin",
                                       "/lib", "/lib64", "/etc",     "/dev",     "/proc",
                                       "/tmp", "/sbin",  "/usr/sbin"};

// What an absolute glob matches now, sorted (none is fine: a path that only
// exists on some machines, e.g. another architecture's library directory).
std::vector<fs::path> ExpandGlob(const std::string& pattern) {
  std::vector<fs::path> out;
  glob_t found{};
  if (glob(pattern.c_str(), GLOB_NOSORT, nullptr, &found) == 0) {
    for (size_t i = 0; i < found.gl_pathc; ++i) out.emplace_back(found.gl_pathv[i]);
  }
  globfree(&found);
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status LoadHidden(TomlTable& trusted, Task* task) {
  constexpr char kExpected[] =
      "an array of paths or globs, absolute or relative to the task directory, like "
      "[\"/usr/share/perl\", \"harness/answers/*\"]";
  const toml::node* node = trusted.Find("hidden");
  if (node == nullptr) return absl::OkStatus();
  if (!node->is_array()) return trusted.WrongType("hidden", kExpected);
  for (const toml::node& element : *node->as_array()) {
    if (!element.is_string()) return trusted.WrongType("hidden", kExpected);
    const std::string written = element.as_string()->get();
    // Relative: grader-only files shipped with the task (held-out answers
    // beside the judge), resolved against the task directory.
    const std::string pattern =
        written.empty() || written[0] == '/' ? written : (task->dir / written).string();
    const fs::path normal = fs::path(pattern).lexically_normal();
    if (written.empty() || written == ".." || written.starts_with("../") ||
        pattern.find("/../") != std::string::npos || pattern.ends_with("/..")) {
      return trusted.Error("hidden",
                           absl::StrCat("'", written, "' must be a path without '..' components"));
    }
    if (normal == task->dir.lexically_normal() || normal == task->dir / "") {
      return trusted.Error("hidden", absl::StrCat("'", written, "' would hide the whole task"));
    }
    for (const char* root : kUnhideable) {
      if (normal == fs::path(root) || normal == fs::path(root) / "") {
        return trusted.Error(
            "hidden", absl::StrCat("'", pattern, "' would hide the system every job runs on"));
      }
    }
    task->hidden_patterns.push_back(pattern);
    for (fs::path& path : ExpandGlob(pattern)) task->hidden_paths.push_back(std::move(path));
  }
  return absl::OkStatus();
}

// plausible = [lo, hi] and plausible_if = "EXPR".
absl::Status LoadPlausible(TomlTable& fitness, Task* task) {
  CAMBRIAN_RETURN_IF_ERROR(
      LoadRange(fitness, "plausible", &task->plausible_lo, &task->plausible_hi));
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::optional<std::string> plausible_if,
      fitness.OptionalString("plausible_if", "an expression like \"gflops <= 1.5 * peak_gflops\""));
  if (plausible_if.has_value()) {
    CAMBRIAN_RETURN_IF_ERROR(CheckExpression(fitness, "plausible_if", *plausible_if));
    task->plausible_if = *plausible_if;
  }
  return absl::OkStatus();
}

// A number >= 0 at `key`; absent keeps `*value`.
absl::Status LoadNonNegative(TomlTable& table, std::string_view key, std::string_view expected,
                             double* value) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<double> number, table.OptionalNumber(key, expected));
  if (!number.has_value()) return absl::OkStatus();
  if (!(*number >= 0) || !std::isfinite(*number)) return table.WrongType(key, expected);
  *value = *number;
  return absl::OkStatus();
}

}  // namespace

absl::Status LoadDuration(TomlTable& table, std::string_view key, absl::Duration* duration) {
  constexpr char kDuration[] = "a duration like \"30s\"";
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> text, table.OptionalString(key, kDuration));
  if (!text.has_value()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> parsed = ParseDuration(*text);
  if (!parsed.ok() || *parsed <= absl::ZeroDuration()) return table.WrongType(key, kDuration);
  *duration = *parsed;
  return absl::OkStatus();
}

absl::Status LoadTrusted(TomlTable& root, const TaskPaths& paths, Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table,
                            root.OptionalTable("trusted", "a table [trusted] with root"));
  if (table == nullptr) return absl::OkStatus();
  TomlTable trusted(*table, "trusted", paths.file);
  CAMBRIAN_RETURN_IF_ERROR(trusted.AllowOnly({"root", "setup", "setup_timeout", "hidden"}));
  CAMBRIAN_ASSIGN_OR_RETURN(task->trusted_root, ExistingDir(trusted, "root", paths));
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::optional<std::string> setup,
      trusted.OptionalString("setup", "a shell command that builds the judges"));
  if (setup.has_value()) {
    if (setup->empty()) return trusted.Error("setup", "expected a shell command, got \"\"");
    task->setup = *setup;
  }
  CAMBRIAN_RETURN_IF_ERROR(LoadDuration(trusted, "setup_timeout", &task->setup_timeout));
  return LoadHidden(trusted, task);
}

namespace {

// [fitness] program and program_timeout.
absl::Status LoadFitnessProgram(TomlTable& fitness, Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::optional<std::string> program,
      fitness.OptionalString("program", "a shell command like \"python3 $CAMBRIAN_TRUSTED/f.py\""));
  if (program.has_value()) {
    if (program->empty()) return fitness.Error("program", "expected a shell command, got \"\"");
    if (task->trusted_root.empty()) {
      return fitness.Error("program",
                           "a fitness program is trusted code: put it in the task's [trusted] "
                           "root and declare that table");
    }
    task->fitness_program = *program;
  }
  return LoadDuration(fitness, "program_timeout", &task->fitness_program_timeout);
}

// score and goal: required for a single fitness, refused beside
// [[objectives]] (whose first is the headline).
absl::Status LoadScore(TomlTable& fitness, Task* task) {
  if (!task->objectives.empty()) {
    for (const char* key : {"score", "goal", "noise"}) {
      if (fitness.Find(key) != nullptr) {
        return fitness.Error(key, absl::StrCat("with [[objectives]] the first objective is the "
                                               "headline score; give its ",
                                               key, " there and remove fitness.", key));
      }
    }
    return absl::OkStatus();
  }
  CAMBRIAN_ASSIGN_OR_RETURN(task->fitness_score,
                            fitness.String("score", "an expression over metrics like \"gflops\""));
  CAMBRIAN_RETURN_IF_ERROR(CheckExpression(fitness, "score", task->fitness_score));
  CAMBRIAN_ASSIGN_OR_RETURN(task->goal, LoadGoal(fitness));
  return LoadNoise(fitness, "noise", &task->noise);
}

}  // namespace

absl::Status LoadFitness(TomlTable& root, const TaskPaths& paths, Task* task) {
  CAMBRIAN_RETURN_IF_ERROR(LoadObjectives(root, paths, task));
  const toml::table empty;
  const toml::table* table = &empty;
  if (task->objectives.empty() || root.Find("fitness") != nullptr) {
    CAMBRIAN_ASSIGN_OR_RETURN(table,
                              root.Table("fitness", "a table [fitness] with score and goal"));
  }
  TomlTable fitness(*table, "fitness", paths.file);
  CAMBRIAN_RETURN_IF_ERROR(
      fitness.AllowOnly({"score", "goal", "tolerance", "noise", "confirm", "confirm_seeds",
                         "plausible", "plausible_if", "program", "program_timeout"}));
  CAMBRIAN_RETURN_IF_ERROR(LoadScore(fitness, task));
  CAMBRIAN_RETURN_IF_ERROR(LoadFitnessProgram(fitness, task));
  CAMBRIAN_RETURN_IF_ERROR(LoadNonNegative(fitness, "tolerance",
                                           "a relative tolerance >= 0 like 0.1", &task->tolerance));
  CAMBRIAN_RETURN_IF_ERROR(LoadCount(fitness, "confirm", 0, &task->confirm));
  CAMBRIAN_RETURN_IF_ERROR(LoadCount(fitness, "confirm_seeds", 1, &task->confirm_seeds));
  return LoadPlausible(fitness, task);
}

}  // namespace cambrian::evaluator::internal
