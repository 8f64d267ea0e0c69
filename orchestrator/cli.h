// The `cambrian` command line: a table of subcommands, one file each under
// orchestrator/commands/. Each command parses its flags with CLI11 into a
// plain options struct and returns a Status; only RunCli maps that to an
// exit code.
#ifndef CAMBRIAN_ORCHESTRATOR_CLI_H_
#define CAMBRIAN_ORCHESTRATOR_CLI_H_

#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace CLI {
class App;
}

namespace cambrian::orchestrator {

// What a command's run function returns when it worked but the answer is
// "no" (replay disagreed): exit code 3 instead of 0.
inline constexpr int kExitDisagree = 3;

struct CommandResult {
  absl::Status status;
  int exit_code = 0;  // used when status is OK
};

// A command that returns its exit code, or why it could not run.
inline CommandResult ResultOf(const absl::StatusOr<int>& exit_code) {
  if (!exit_code.ok()) return CommandResult{exit_code.status()};
  return CommandResult{absl::OkStatus(), *exit_code};
}

struct Command {
  std::string_view name;
  std::string_view summary;
  // Declares the subcommand's flags on `app` and returns the function that
  // runs it once the command line has been parsed.
  std::function<std::function<CommandResult()>(CLI::App& app)> setup;
};

// Every subcommand, in the order `cambrian --help` lists them.
const std::vector<Command>& Commands();

// Parses argv, runs the chosen command, prints errors as
// "cambrian: error: ..." and returns the process exit code: 0 success,
// 1 error, 2 usage error, 3 a replay that disagreed.
int RunCli(int argc, char** argv);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_CLI_H_
