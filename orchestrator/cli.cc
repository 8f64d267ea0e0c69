#include "orchestrator/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "common/untrusted_text.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/terminal_output.h"

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
  std::string chosen;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    auto run = command.setup(*sub);
    sub->callback([&to_run, &chosen, run, name = std::string(command.name)] {
      to_run = run;
      chosen = name;
    });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help and --version are "errors" that exit 0; the rest are usage errors.
    return app.exit(error) == 0 ? 0 : 2;
  }
  // Candidates control much of what commands print: escape it, except the
  // bytes of a diff or export sent to a file or pipe (a patch must apply).
  std::optional<ScopedEscaping> escaping;
  const bool data = chosen == "diff" || chosen == "export";
  if (!data || isatty(STDOUT_FILENO)) escaping.emplace(std::cout);
  CommandResult result = to_run();
  escaping.reset();
  if (!result.status.ok()) {
    std::cout.flush();
    std::fprintf(stderr, "cambrian: error: %s\n",
                 EscapeControl(std::string(result.status.message())).c_str());
    return 1;
  }
  return result.exit_code;
}

}  // namespace cambrian::orchestrator
