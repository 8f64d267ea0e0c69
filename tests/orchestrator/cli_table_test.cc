#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/cli.h"

namespace cambrian::orchestrator {
namespace {

TEST(CommandsTest, NamesAreUniqueAndEveryCommandIsDescribed) {
  std::set<std::string> names;
  for (const Command& command : Commands()) {
    EXPECT_FALSE(command.name.empty());
    EXPECT_FALSE(command.summary.empty()) << command.name;
    EXPECT_TRUE(static_cast<bool>(command.setup)) << command.name;
    EXPECT_TRUE(names.insert(std::string(command.name)).second) << "duplicate " << command.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"run", "resume", "leaderboard", "show", "diff", "export",
                                          "replay", "eval", "status", "tasks", "doctor", "check",
                                          "serve", "report", "worker"}));
  EXPECT_EQ(Commands().front().name, "run");  // --help lists the main command first
}

TEST(CommandsTest, EverySetupRegistersOnOneApp) {
  // As RunCli does: all subcommands on one app, so their flags must not clash.
  CLI::App app("test", "cambrian");
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    std::function<CommandResult()> run;
    ASSERT_NO_THROW(run = command.setup(*sub)) << command.name;
    EXPECT_TRUE(static_cast<bool>(run)) << command.name;
  }
  EXPECT_EQ(app.get_subcommands({}).size(), Commands().size());
}

// Parses `args` (after "cambrian") on a fresh app holding every command.
void Parse(const std::vector<std::string>& args) {
  CLI::App app("test", "cambrian");
  app.require_subcommand(1);
  // The runners own the options the parser writes into: they must outlive
  // the parse (a discarded one left the parser writing into freed memory).
  std::vector<std::function<CommandResult()>> runners;
  for (const Command& command : Commands()) {
    CLI::App* sub = app.add_subcommand(std::string(command.name), std::string(command.summary));
    runners.push_back(command.setup(*sub));
  }
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  app.parse(reversed);
}

TEST(CommandsTest, RunTakesItsFlags) {
  // The task is optional to the parser (--resume reads it from the run);
  // `run` without one fails when it runs (tests/e2e: "run needs a TASK").
  EXPECT_NO_THROW(Parse({"run", "--run-dir", "/tmp/x", "--resume"}));
  EXPECT_NO_THROW(Parse({"run", "quadratic", "--budget", "5", "--workers", "3", "--seed", "9",
                         "--time", "2m", "--run-dir", "/tmp/x", "--keep-jobs"}));
  EXPECT_THROW(Parse({"run", "quadratic", "--budget", "many"}), CLI::ParseError);
  EXPECT_THROW(Parse({"run", "quadratic", "--no-such-flag"}), CLI::ParseError);
}

TEST(CommandsTest, ASubcommandIsRequired) {
  EXPECT_THROW(Parse({}), CLI::ParseError);
  EXPECT_THROW(Parse({"frobnicate"}), CLI::ParseError);
}

}  // namespace
}  // namespace cambrian::orchestrator
