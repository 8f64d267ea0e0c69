#include "orchestrator/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "orchestrator/commands/commands.h"

namespace cambrian::orchestrator {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      RunCommand(),    ResumeCommand(), LeaderboardCommand(), ShowCommand(),
      DiffCommand(),   ExportCommand(), ReplayCommand(),      EvalCommand(),
      StatusCommand(), TasksCommand(),  DoctorCommand(),
  };
  return commands;
}

int RunCli(int argc, char** argv) {
  CLI::App app("Cambrian: evolutionary search over programs and kernels", "cambrian");
  app.require_subcommand(1);
  app.set_version_flag("--version", "cambrian 0.1.0");
  std::function<CommandResult()> to_run;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    auto run = command.setup(*sub);
    sub->callback([&to_run, run] { to_run = run; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" that exit 0; the rest are usage errors.
    return app.exit(error) == 0 ? 0 : 2;
  }
  CommandResult result = to_run();
  if (!result.status.ok()) {
    std::cout.flush();
    std::fprintf(stderr, "cambrian: error: %s\n", std::string(result.status.message()).c_str());
    return 1;
  }
  return result.exit_code;
}

}  // namespace cambrian::orchestrator
