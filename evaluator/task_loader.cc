#include "evaluator/task_loader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "common/file_util.h"
#include "common/glob.h"
#include "common/status_macros.h"
#include "common/toml_table.h"
#include "common/units.h"
#include "evaluator/expression.h"
#include "evaluator/task_loader_internal.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using ::cambrian::TomlTable;
using internal::CheckExpression;
using internal::ExistingDir;
using internal::LoadFitness;
using internal::LoadProfiles;
using internal::LoadTrusted;
using internal::TaskPaths;

constexpr char kTaskFileName[] = "task.toml";

bool AllOf(const std::string& text, bool (*allowed)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), allowed);
}

// Every regular file under `root`, as '/'-separated relative paths.
std::vector<std::string> ListFiles(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec))
      files.push_back(it->path().lexically_relative(root).generic_string());
  }
  return files;
}

absl::Status LoadEditable(TomlTable& program, Task* task) {
  constexpr char kExpected[] = "a non-empty array of globs like [\"main.cpp\"]";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* globs, program.Array("editable", kExpected));
  if (globs->empty()) return program.WrongType("editable", kExpected);
  const std::vector<std::string> files = ListFiles(task->program_root);
  for (const toml::node& node : *globs) {
    if (!node.is_string()) {
      return program.Error("editable", absl::StrCat("expected globs (strings), got an element ",
                                                    DescribeNode(node)));
    }
    const std::string glob = node.as_string()->get();
    if (!IsSafeRelativePath(glob) || glob.empty()) {
      return program.Error("editable", absl::StrCat("glob '", glob,
                                                    "' must be relative to program.root, "
                                                    "without '..'"));
    }
    bool matched = std::any_of(files.begin(), files.end(),
                               [&](const std::string& file) { return MatchesGlob(glob, file); });
    if (!matched) {
      return program.Error("editable", absl::StrCat("glob '", glob, "' matches no file under ",
                                                    task->program_root.string()));
    }
    task->editable.push_back(glob);
  }
  return absl::OkStatus();
}

absl::Status LoadProgram(TomlTable& root, const TaskPaths& paths, Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table,
                            root.Table("program", "a table [program] with root and editable"));
  TomlTable program(*table, "program", paths.file);
  CAMBRIAN_RETURN_IF_ERROR(program.AllowOnly({"root", "editable"}));
  CAMBRIAN_ASSIGN_OR_RETURN(task->program_root, ExistingDir(program, "root", paths));
  CAMBRIAN_RETURN_IF_ERROR(LoadEditable(program, task));
  return absl::OkStatus();
}

absl::StatusOr<StageSpec> LoadStage(TomlTable& stage) {
  CAMBRIAN_RETURN_IF_ERROR(stage.AllowOnly({"name", "run", "timeout", "pass_if", "judge", "warm"}));
  StageSpec spec;
  CAMBRIAN_ASSIGN_OR_RETURN(spec.name, stage.String("name", "a stage name like \"build\""));
  if (!IsStageName(spec.name)) {
    return stage.Error("name", absl::StrCat("expected a stage name of letters, digits, '-' and "
                                            "'_', got \"",
                                            spec.name, "\""));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> judge,
                            stage.OptionalString("judge", "a shell command (the trusted judge)"));
  if (judge.has_value()) {
    if (judge->empty())
      return stage.Error("judge", "expected a shell command, got an empty string");
    spec.judge = *judge;
  }
  // A judge may stand alone: it judges what earlier stages built (a CUDA
  // task's module) and no candidate process runs in the stage.
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::optional<std::string> run,
      stage.OptionalString("run", "a shell command (the candidate's job, or its worker)"));
  if (!run.has_value() && !judge.has_value()) {
    return stage
        .Require("run",
                 "a shell command, the candidate's job; a stage needs `run`, "
                 "`judge`, or both")
        .status();
  }
  if (run.has_value() && run->empty()) {
    return stage.Error("run", "expected a shell command, got an empty string");
  }
  spec.run = run.value_or("");
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<bool> warm, stage.OptionalBool("warm", "true or false"));
  spec.warm = warm.value_or(false);
  if (spec.warm && !judge.has_value()) {
    return stage.Error("warm", "only a judged stage (one with a `judge`) can be warm");
  }
  CAMBRIAN_RETURN_IF_ERROR(internal::LoadDuration(stage, "timeout", &spec.timeout));
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> pass_if,
                            stage.OptionalString("pass_if", "an expression like \"correct == 1\""));
  if (pass_if.has_value()) {
    CAMBRIAN_RETURN_IF_ERROR(CheckExpression(stage, "pass_if", *pass_if));
    spec.pass_if = *pass_if;
  }
  return spec;
}

absl::Status LoadStages(TomlTable& root, const TaskPaths& paths, Task* task) {
  constexpr char kExpected[] = "one or more [[stages]] tables";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* stages, root.Array("stages", kExpected));
  if (stages->empty()) return root.WrongType("stages", kExpected);
  std::set<std::string> names;
  for (size_t i = 0; i < stages->size(); ++i) {
    const std::string key = absl::StrCat("stages[", i, "]");
    const toml::node& node = *stages->get(i);
    if (!node.is_table()) {
      return root.Error(key, absl::StrCat("expected a [[stages]] table, got ", DescribeNode(node)));
    }
    TomlTable stage(*node.as_table(), key, paths.file);
    CAMBRIAN_ASSIGN_OR_RETURN(StageSpec spec, LoadStage(stage));
    if (!names.insert(spec.name).second) {
      return stage.Error("name", absl::StrCat("duplicate stage name \"", spec.name, "\""));
    }
    task->stages.push_back(std::move(spec));
  }
  return absl::OkStatus();
}

absl::StatusOr<FeatureSpec> LoadFeature(TomlTable& feature, const std::string& name) {
  CAMBRIAN_RETURN_IF_ERROR(feature.AllowOnly({"bins", "range"}));
  FeatureSpec spec{.name = name};
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<int64_t> bins,
                            feature.OptionalInteger("bins", "a number of bins >= 1"));
  if (bins.has_value()) {
    if (*bins < 1 || *bins > 1000) return feature.WrongType("bins", "a number of bins in 1..1000");
    spec.bins = static_cast<int>(*bins);
  }
  constexpr char kRange[] = "[lo, hi] with lo < hi";
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::array* range, feature.Array("range", kRange));
  if (range->size() != 2 || !range->get(0)->is_number() || !range->get(1)->is_number()) {
    return feature.WrongType("range", kRange);
  }
  spec.lo = range->get(0)->value<double>().value_or(0);
  spec.hi = range->get(1)->value<double>().value_or(0);
  if (!(spec.lo < spec.hi)) return feature.WrongType("range", kRange);
  return spec;
}

absl::Status LoadFeatures(TomlTable& root, const TaskPaths& paths, Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table,
                            root.OptionalTable("features", "a table [features]"));
  if (table == nullptr) return absl::OkStatus();
  TomlTable features(*table, "features", paths.file);
  for (const auto& [key, node] : *table) {
    const std::string name(key.str());
    // "knob:NAME": the value of the program's knob NAME (docs/search.md).
    const bool knob = name.rfind("knob:", 0) == 0 && IsMetricName(name.substr(5));
    if (!knob && !IsMetricName(name)) {
      return features.Error(name,
                            "a feature must be named after a metric ([A-Za-z_][A-Za-z0-9_]*) "
                            "or a knob (\"knob:NAME\")");
    }
    if (!node.is_table()) {
      return features.WrongType(name, "a table like { bins = 8, range = [20, 400] }");
    }
    TomlTable feature(*node.as_table(), features.KeyPath(name), paths.file);
    CAMBRIAN_ASSIGN_OR_RETURN(FeatureSpec spec, LoadFeature(feature, name));
    task->features.push_back(std::move(spec));
  }
  return absl::OkStatus();
}

// [resources] inodes: more than LoadCount allows.
absl::Status LoadInodes(TomlTable& resources, int* inodes) {
  constexpr char kExpected[] = "an integer from 16 to 100000000";
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<int64_t> value,
                            resources.OptionalInteger("inodes", kExpected));
  if (!value.has_value()) return absl::OkStatus();
  if (*value < 16 || *value > 100000000) return resources.WrongType("inodes", kExpected);
  *inodes = static_cast<int>(*value);
  return absl::OkStatus();
}

absl::Status LoadResources(TomlTable& root, const TaskPaths& paths, Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table* table,
                            root.OptionalTable("resources", "a table [resources]"));
  if (table == nullptr) return absl::OkStatus();
  TomlTable resources(*table, "resources", paths.file);
  CAMBRIAN_RETURN_IF_ERROR(
      resources.AllowOnly({"cpus", "memory", "gpus", "output", "file_size", "inodes"}));
  ResourceSpec& spec = task->resources;
  CAMBRIAN_RETURN_IF_ERROR(internal::LoadCount(resources, "cpus", 1, &spec.cpus));
  CAMBRIAN_RETURN_IF_ERROR(internal::LoadCount(resources, "gpus", 0, &spec.gpus));
  CAMBRIAN_RETURN_IF_ERROR(internal::LoadBytes(resources, "memory", &spec.memory_bytes));
  CAMBRIAN_RETURN_IF_ERROR(internal::LoadBytes(resources, "output", &spec.output_bytes));
  CAMBRIAN_RETURN_IF_ERROR(internal::LoadBytes(resources, "file_size", &spec.file_bytes));
  CAMBRIAN_RETURN_IF_ERROR(LoadInodes(resources, &spec.inodes));
  return absl::OkStatus();
}

absl::Status LoadHeader(TomlTable& root, const TaskPaths& paths, Task* task) {
  CAMBRIAN_ASSIGN_OR_RETURN(task->name, root.String("name", "a task name like \"matmul-cpu\""));
  if (!IsTaskName(task->name)) {
    return root.Error(
        "name",
        absl::StrCat("expected lower-case letters, digits, '-' and '_', got \"", task->name, "\""));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(task->description, root.String("description", "a string"));
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::optional<std::string> instructions,
      root.OptionalString("instructions", "a file name relative to the task directory"));
  if (instructions.has_value()) {
    absl::StatusOr<std::string> text = ReadFile(paths.dir / *instructions);
    if (!text.ok()) {
      return root.Error("instructions",
                        absl::StrCat("cannot read ", (paths.shown_dir / *instructions).string()));
    }
    task->instructions = *std::move(text);
  }
  return absl::OkStatus();
}

absl::StatusOr<Task> LoadDocument(const toml::table& document, const TaskPaths& paths,
                                  const std::string& profile) {
  Task task;
  task.dir = paths.dir;
  TomlTable root(document, "", paths.file);
  CAMBRIAN_RETURN_IF_ERROR(root.AllowOnly({"name", "description", "instructions", "program",
                                           "trusted", "stages", "fitness", "objectives", "features",
                                           "resources", "default_profile", "profiles"}));
  CAMBRIAN_RETURN_IF_ERROR(LoadHeader(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadProgram(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadTrusted(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadStages(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadFitness(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadFeatures(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadResources(root, paths, &task));
  CAMBRIAN_RETURN_IF_ERROR(LoadProfiles(root, paths, profile, &task));
  internal::UseHeadline(&task);
  return task;
}

}  // namespace

namespace internal {

// A directory named by `key`, relative to the task directory; it must exist.
absl::StatusOr<fs::path> ExistingDir(TomlTable& table, std::string_view key,
                                     const TaskPaths& paths) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::string relative,
                            table.String(key, "a directory relative to the task directory"));
  if (relative.empty()) return table.Error(key, "expected a directory name, got an empty string");
  fs::path resolved = (paths.dir / relative).lexically_normal();
  std::error_code ec;
  if (!fs::is_directory(resolved, ec)) {
    return table.Error(
        key, absl::StrCat("directory ", (paths.shown_dir / relative).string(), " does not exist"));
  }
  return resolved;
}

absl::Status CheckExpression(TomlTable& table, std::string_view key, const std::string& text) {
  absl::StatusOr<Expression> compiled = Expression::Compile(text);
  if (compiled.ok()) return absl::OkStatus();
  return table.Error(key, Std(compiled.status().message()));
}

absl::Status LoadCount(TomlTable& table, std::string_view key, int min, int* count) {
  const std::string expected = absl::StrCat("an integer >= ", min);
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<int64_t> value, table.OptionalInteger(key, expected));
  if (!value.has_value()) return absl::OkStatus();
  if (*value < min || *value > 4096) return table.WrongType(key, expected);
  *count = static_cast<int>(*value);
  return absl::OkStatus();
}

// A byte size given as a string like "4GiB"; absent keeps `*bytes`.
absl::Status LoadBytes(TomlTable& table, std::string_view key, int64_t* bytes) {
  constexpr char kSize[] = "a size like \"4GiB\"";
  CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> text, table.OptionalString(key, kSize));
  if (!text.has_value()) return absl::OkStatus();
  absl::StatusOr<int64_t> parsed = ParseBytes(*text);
  if (!parsed.ok() || *parsed <= 0) return table.WrongType(key, kSize);
  *bytes = *parsed;
  return absl::OkStatus();
}

}  // namespace internal

bool IsTaskName(const std::string& name) {
  return AllOf(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

bool IsStageName(const std::string& name) {
  return AllOf(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

absl::StatusOr<Task> LoadTask(const fs::path& task_dir_or_toml, const std::string& profile) {
  std::error_code ec;
  fs::path toml_path =
      fs::is_directory(task_dir_or_toml, ec) ? task_dir_or_toml / kTaskFileName : task_dir_or_toml;
  if (!fs::is_regular_file(toml_path, ec)) {
    return absl::NotFoundError(absl::StrCat("task file ", toml_path.string(), " does not exist"));
  }
  const fs::path absolute = fs::absolute(toml_path, ec);
  if (ec) return absl::InternalError(absl::StrCat(toml_path.string(), ": ", ec.message()));
  const TaskPaths paths{.file = toml_path.string(),
                        .shown_dir = toml_path.parent_path(),
                        .dir = absolute.parent_path().lexically_normal()};
  CAMBRIAN_ASSIGN_OR_RETURN(const toml::table document, ParseTomlFile(toml_path));
  return LoadDocument(document, paths, profile);
}

}  // namespace cambrian::evaluator
