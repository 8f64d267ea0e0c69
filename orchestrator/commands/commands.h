// One factory per subcommand; see orchestrator/cli.h for the table.
#ifndef CAMBRIAN_ORCHESTRATOR_COMMANDS_COMMANDS_H_
#define CAMBRIAN_ORCHESTRATOR_COMMANDS_COMMANDS_H_

#include <filesystem>
#include <optional>
#include <string>

#include "orchestrator/cli.h"

namespace cambrian::orchestrator {

Command RunCommand();
Command ResumeCommand();
Command LeaderboardCommand();
Command ShowCommand();
Command StatusCommand();
Command DiffCommand();
Command ExportCommand();
Command ReplayCommand();
Command EvalCommand();
Command CheckCommand();
Command ServeCommand();
Command ReportCommand();
Command TasksCommand();
Command DoctorCommand();
Command WorkerCommand();

// The --run-dir flag every review command takes: empty means "the latest".
inline std::optional<std::filesystem::path> RunDirFlag(const std::string& flag) {
  if (flag.empty()) return std::nullopt;
  return std::filesystem::path(flag);
}

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_COMMANDS_COMMANDS_H_
