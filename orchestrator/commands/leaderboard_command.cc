// `cambrian leaderboard`: the best candidates of a run, as a table or JSON.
#include <CLI/CLI.hpp>
#include <iostream>

#include "common/status_macros.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"

namespace cambrian::orchestrator {
namespace {

struct LeaderboardOptions {
  std::string run_dir;
  int top = 20;
  bool all = false;
  bool json = false;
};

absl::Status PrintLeaderboard(const LeaderboardOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  archive::ListOptions list;
  list.scored_only = !options.all;
  list.best_first = true;
  if (options.top > 0) list.limit = options.top;
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> candidates,
                            run.archive->ListCandidates(list));
  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const archive::Candidate& candidate : candidates) {
      array.push_back(CandidateJson(candidate));
    }
    std::cout << DumpJson(array) << "\n";
    return absl::OkStatus();
  }
  std::cout << "run " << run.paths.dir.string() << " | task " << run.info.task_name << " | goal "
            << run.info.goal << "\n"
            << FormatLeaderboard(candidates);
  return absl::OkStatus();
}

}  // namespace

Command LeaderboardCommand() {
  return {"leaderboard", "The best candidates of a run, best first", [](CLI::App& app) {
            auto options = std::make_shared<LeaderboardOptions>();
            app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
            app.add_option("--top", options->top, "Rows to show (0 = all)")->capture_default_str();
            app.add_flag("--all", options->all, "Include failed and unfinished candidates");
            app.add_flag("--json", options->json, "An array of candidates for scripts");
            return [options] { return CommandResult{PrintLeaderboard(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
