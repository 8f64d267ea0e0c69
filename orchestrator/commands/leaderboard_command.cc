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
  bool wide = false;
  bool history = false;
};

// The new bests in the order they came, as text or JSON.
absl::Status PrintHistory(const OpenedRun& run, bool json) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> all,
                            run.archive->ListCandidates(archive::ListOptions{}));
  std::vector<archive::Candidate> bests = BestOverTime(std::move(all), run.info.goal != "minimize");
  if (json) {
    nlohmann::json array = nlohmann::json::array();
    for (const archive::Candidate& candidate : bests) array.push_back(CandidateJson(candidate));
    std::cout << DumpJson(array) << "\n";
    return absl::OkStatus();
  }
  std::cout << "run " << run.paths.dir.string() << " | task " << run.info.task_name
            << " | each new best, in the order it came\n"
            << FormatBestOverTime(bests, run.info.created_at);
  return absl::OkStatus();
}

absl::Status PrintLeaderboard(const LeaderboardOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  if (options.history) return PrintHistory(run, options.json);
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
  LeaderboardFormat format{.wide = options.wide};
  // The recorded task's noise floor marks ties; a task that cannot be read
  // back (moved, damaged) only loses the marks.
  if (absl::StatusOr<Task> task = LoadRecordedTask(run.info); task.ok()) format.noise = task->noise;
  std::cout << "run " << run.paths.dir.string() << " | task " << run.info.task_name << " | goal "
            << run.info.goal << "\n"
            << FormatLeaderboard(candidates, format);
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
            app.add_flag("--wide", options->wide, "Do not cut the metrics and change columns");
            app.add_flag("--history", options->history,
                         "Each new best in the order it came: how the best rose over the run");
            return [options] { return CommandResult{PrintLeaderboard(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
