#include "orchestrator/task_locator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cambrian::orchestrator {
namespace fs = std::filesystem;

std::optional<fs::path> BuiltinTasksDir() {
  std::error_code ec;
  if (const char* env = std::getenv("CAMBRIAN_TASKS_DIR"); env != nullptr && *env != '\0') {
    return fs::path(env);
  }
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (const fs::path& candidate :
       {exe.parent_path() / ".." / "tasks", exe.parent_path() / ".." / ".." / "tasks",
        exe.parent_path() / ".." / "share" / "cambrian" / "tasks"}) {
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec);
  }
  return std::nullopt;
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
