// `cambrian leaderboard`: the best candidates of a run, as a table or JSON.
#include <CLI/CLI.hpp>
#include <iostream>
#include <set>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"
#include "orchestrator/review_front.h"

namespace cambrian::orchestrator {
namespace {

struct LeaderboardOptions {
  std::string run_dir;
  int top = 20;
  bool all = false;
  bool json = false;
  bool wide = false;
  bool history = false;
  bool front = false;
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

// The run's front (a multi-objective task): every scored candidate is read,
// whatever --top shows, since any of them may be on it.
absl::StatusOr<std::set<int64_t>> FrontOfRun(const OpenedRun& run, const Task& task) {
  if (!MultiObjective(task)) return std::set<int64_t>();
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> scored,
                            run.archive->ListCandidates({.scored_only = true}));
  return RunFront(task, scored);
}

absl::Status PrintLeaderboard(const LeaderboardOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  if (options.history) return PrintHistory(run, options.json);
  // The recorded task's noise marks ties and its objectives make the front;
  // a task that cannot be read back (moved, damaged) only loses those.
  absl::StatusOr<Task> task = LoadRecordedTask(run.info);
  if (options.front && !(task.ok() && MultiObjective(*task))) {
    return absl::FailedPreconditionError(
        task.ok() ? "--front: this run's task has one fitness, not several [[objectives]]"
                  : absl::StrCat("--front needs the run's task: ", task.status().message()));
  }
  std::set<int64_t> front;
  if (task.ok()) {
    CAMBRIAN_ASSIGN_OR_RETURN(front, FrontOfRun(run, *task));
  }
  archive::ListOptions list;
  list.scored_only = !options.all;
  list.best_first = true;
  if (options.top > 0 && !options.front) list.limit = options.top;
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> candidates,
                            run.archive->ListCandidates(list));
  if (options.front) {
    std::erase_if(candidates, [&](const archive::Candidate& c) { return front.count(c.id) == 0; });
  }
  if (options.json) {
    nlohmann::json array = nlohmann::json::array();
    for (const archive::Candidate& candidate : candidates) {
      nlohmann::json row = CandidateJson(candidate);
      if (task.ok() && MultiObjective(*task)) row["on_front"] = front.count(candidate.id) > 0;
      array.push_back(std::move(row));
    }
    std::cout << DumpJson(array) << "\n";
    return absl::OkStatus();
  }
  LeaderboardFormat format = task.ok() ? TaskLeaderboardFormat(*task, front) : LeaderboardFormat{};
  format.wide = options.wide;
  std::cout << "run " << run.paths.dir.string() << " | task " << run.info.task_name << " | goal "
            << run.info.goal << "\n";
  if (!format.objectives.empty()) {
    std::cout << absl::StrFormat("objectives: %s; %d on the Pareto front; ranked by %s\n",
                                 absl::StrJoin(format.objectives, ", "), front.size(),
                                 format.objectives.front());
  }
  std::cout << FormatLeaderboard(candidates, format);
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
            app.add_flag("--front", options->front,
                         "Only the run's Pareto front (a task with several objectives)");
            app.add_flag("--history", options->history,
                         "Each new best in the order it came: how the best rose over the run");
            return [options] { return CommandResult{PrintLeaderboard(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
