#include "orchestrator/task_locator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cambrian::orchestrator {
namespace fs = std::filesystem;

namespace {

// $ENV_VAR, else <exe>/../share/cambrian/NAME (installed), <exe>/../NAME,
// <exe>/../../NAME (a build tree inside the source tree) or the source
// tree the binary was built from, whichever exists first.
std::optional<fs::path> FindDataDir(const char* env_var, const char* name) {
  std::error_code ec;
  if (const char* env = std::getenv(env_var); env != nullptr && *env != '\0') {
    return fs::path(env);
  }
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (const fs::path& candidate :
       {exe.parent_path() / ".." / "share" / "cambrian" / name, exe.parent_path() / ".." / name,
        exe.parent_path() / ".." / ".." / name, fs::path(CAMBRIAN_SOURCE_TREE) / name}) {
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec);
  }
  return std::nullopt;
}

}  // namespace

std::optional<fs::path> BuiltinTasksDir() { return FindDataDir("CAMBRIAN_TASKS_DIR", "tasks"); }

std::optional<fs::path> BuiltinKernelsDir() {
  return FindDataDir("CAMBRIAN_KERNELS_DIR", "kernels");
}

std::optional<fs::path> BuiltinPromptsDir() {
  return FindDataDir("CAMBRIAN_PROMPTS_DIR", "prompts");
}

std::vector<fs::path> ListBuiltinTasks() {
  std::vector<fs::path> tasks;
  std::optional<fs::path> dir = BuiltinTasksDir();
  if (!dir) return tasks;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*dir, ec)) {
    if (fs::exists(entry.path() / "task.toml", ec)) tasks.push_back(entry.path());
  }
  std::sort(tasks.begin(), tasks.end());
  return tasks;
}

absl::StatusOr<fs::path> ResolveTask(const std::string& name_or_path) {
  std::error_code ec;
  fs::path path(name_or_path);
  if (fs::exists(path, ec)) return fs::absolute(path, ec);
  bool looks_like_name = name_or_path.find('/') == std::string::npos;
  if (looks_like_name) {
    for (const fs::path& task : ListBuiltinTasks()) {
      if (task.filename() == name_or_path) return task;
    }
  }
  std::vector<std::string> names;
  for (const fs::path& task : ListBuiltinTasks()) names.push_back(task.filename().string());
  return absl::NotFoundError(absl::StrCat(
      "no task directory '", name_or_path, "' and no built-in task of that name (built-in: ",
      names.empty() ? "none found" : absl::StrJoin(names, ", "), ")"));
}

}  // namespace cambrian::orchestrator
