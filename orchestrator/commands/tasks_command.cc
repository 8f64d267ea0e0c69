// `cambrian tasks`: the built-in tasks.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "evaluator/task_loader.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "orchestrator/task_locator.h"

namespace cambrian::orchestrator {
namespace {

absl::Status PrintTasks(bool json) {
  std::optional<std::filesystem::path> dir = BuiltinTasksDir();
  if (!dir) {
    return absl::NotFoundError(
        "cannot find the built-in tasks directory; set CAMBRIAN_TASKS_DIR to it");
  }
  nlohmann::json array = nlohmann::json::array();
  std::string table;
  for (const std::filesystem::path& path : ListBuiltinTasks()) {
    absl::StatusOr<Task> task = evaluator::LoadTask(path);
    std::string name = path.filename().string();
    std::string about = task.ok()
                            ? task->description
                            : std::string("(broken: ") + std::string(task.status().message()) + ")";
    std::vector<std::string> profiles = task.ok() ? task->profiles : std::vector<std::string>();
    array.push_back({{"name", name},
                     {"path", path.string()},
                     {"description", about},
                     {"profiles", profiles},
                     {"default_profile", task.ok() ? task->profile : ""}});
    table += absl::StrFormat("%-16s %s\n", name, about);
    if (!profiles.empty()) {
      table += absl::StrFormat("%-16s profiles: %s (default %s; run --profile NAME)\n", "",
                               absl::StrJoin(profiles, ", "), task->profile);
    }
  }
  if (json) {
    std::cout << DumpJson(array) << "\n";
  } else {
    std::cout << "Built-in tasks in " << dir->string() << ":\n" << table;
  }
  return absl::OkStatus();
}

}  // namespace

Command TasksCommand() {
  return {"tasks", "List the built-in tasks", [](CLI::App& app) {
            auto json = std::make_shared<bool>(false);
            app.add_flag("--json", *json, "Machine-readable output");
            return [json] { return CommandResult{PrintTasks(*json)}; };
          }};
}

}  // namespace cambrian::orchestrator
