#include "orchestrator/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/did_you_mean.h"
#include "common/untrusted_text.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/terminal_output.h"

namespace cambrian::orchestrator {

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      RunCommand(),    ResumeCommand(), LeaderboardCommand(), ShowCommand(),   DiffCommand(),
      ExportCommand(), ReplayCommand(), EvalCommand(),        StatusCommand(), TasksCommand(),
      DoctorCommand(), CheckCommand(),  ServeCommand(),       ReportCommand(), WorkerCommand(),
  };
  return commands;
}

namespace {

// A first word that names no command, with the closest one when a letter or
// two is off: CLI11 alone says only "A subcommand is required".
std::optional<std::string> UnknownCommand(int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return std::nullopt;
  const std::string word = argv[1];
  std::vector<std::string_view> names;
  for (const Command& command : Commands()) {
    if (command.name == word) return std::nullopt;
    names.push_back(command.name);
  }
  std::string message = absl::StrCat("unknown command '", EscapeControl(word), "'");
  if (std::optional<std::string> close = ClosestName(word, names)) {
    absl::StrAppend(&message, " (did you mean '", *close, "'?)");
  }
  return absl::StrCat(message, "; `cambrian --help` lists them");
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (std::optional<std::string> unknown = UnknownCommand(argc, argv)) {
    std::fprintf(stderr, "cambrian: error: %s\n", unknown->c_str());
    return 2;
  }
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
