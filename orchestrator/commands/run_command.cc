// `cambrian run TASK`: an unattended search on one task.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "archive/sqlite_archive.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "evaluator/evaluator.h"
#include "evaluator/task_loader.h"
#include "mutators/crossover_mutator.h"
#include "mutators/knob_mutator.h"
#include "mutators/knobs.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/controller.h"
#include "orchestrator/review.h"
#include "orchestrator/run_dir.h"
#include "orchestrator/task_locator.h"
#include "sandbox/process_sandbox.h"

namespace cambrian::orchestrator {
namespace {
namespace fs = std::filesystem;

struct RunOptions {
  std::string task;
  std::string run_dir;
  int64_t budget = 0;
  std::string time;
  int workers = 2;
  uint64_t seed = 1;
  int top = 10;
  bool keep_jobs = false;
};

// The one process-wide flag a signal may set; the controller polls it.
std::atomic<bool> g_stop_requested{false};

void OnStopSignal(int) { g_stop_requested.store(true); }

void InstallStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
}

absl::StatusOr<RunConfig> MakeConfig(const RunOptions& options, const Task& task) {
  RunConfig config;
  config.task_dir = task.dir;
  config.workers = options.workers;
  config.seed = options.seed;
  config.keep_job_dirs = options.keep_jobs;
  if (options.workers < 1) return absl::InvalidArgumentError("--workers must be at least 1");
  if (options.budget > 0) config.max_evaluations = options.budget;
  if (!options.time.empty()) {
    CAMBRIAN_ASSIGN_OR_RETURN(config.max_wall_time, ParseDuration(options.time));
  }
  if (!config.max_evaluations && !config.max_wall_time) config.max_evaluations = 100;
  if (options.run_dir.empty()) {
    std::string stamp = absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::LocalTimeZone());
    fs::path base = fs::path(kDefaultRunsDir) / absl::StrCat(task.name, "-", stamp);
    config.run_dir = base;
    for (int i = 2; fs::exists(config.run_dir); ++i) {
      config.run_dir = absl::StrCat(base.string(), "-", i);
    }
  } else {
    config.run_dir = options.run_dir;
  }
  return config;
}

// Refuses a seed whose knob annotations are broken before anything runs.
absl::Status CheckSeedMutable(const Task& task) {
  CAMBRIAN_ASSIGN_OR_RETURN(Program seed, ReadProgramTree(task.program_root));
  absl::StatusOr<std::vector<mutators::Knob>> knobs = mutators::FindKnobs(seed, task.editable);
  if (!knobs.ok()) return Annotate(knobs.status(), "the seed program's knobs");
  if (knobs->empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("task '", task.name,
                     "': the editable files have no @knob annotations, so the offline "
                     "mutators cannot change anything (see docs/knobs.md)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<archive::SqliteArchive>> CreateRun(const RunConfig& config,
                                                                  const Task& task,
                                                                  const RunPaths& paths) {
  CAMBRIAN_ASSIGN_OR_RETURN(auto archive,
                            archive::SqliteArchive::Open(paths.db, archive::OpenMode::kReadWrite));
  if (auto existing = archive->GetRunInfo(); existing.ok()) {
    return absl::AlreadyExistsError(
        absl::StrCat(paths.dir.string(), " already holds a run of task '", existing->task_name,
                     "'; choose a new --run-dir (review it with `cambrian leaderboard --run-dir ",
                     paths.dir.string(), "`)"));
  }
  archive::RunInfo info;
  info.task_name = task.name;
  info.task_dir = task.dir.string();
  if (!task.trusted_root.empty()) {
    CAMBRIAN_ASSIGN_OR_RETURN(info.trusted_hash, HashTree(task.trusted_root));
  }
  info.config_json = RunConfigToJson(config);
  info.seed = config.seed;
  info.goal = task.goal == Goal::kMaximize ? "maximize" : "minimize";
  info.created_at = absl::Now();
  CAMBRIAN_RETURN_IF_ERROR(archive->SetRunInfo(info));
  return archive;
}

absl::StatusOr<RunSummary> Search(const Task& task, const RunConfig& config,
                                  archive::Archive& archive, const RunPaths& paths) {
  sandbox::ProcessSandbox sandbox;
  CAMBRIAN_ASSIGN_OR_RETURN(auto fitness, evaluator::MakeExpressionFitness(task.fitness_score));
  evaluator::Evaluator evaluator(task, sandbox, *fitness, {paths.jobs, config.keep_job_dirs});
  mutators::KnobMutator knob;
  mutators::CrossoverMutator crossover;
  SystemClock clock;
  std::unique_ptr<ProgressSink> progress = MakeProgressSink();
  ControllerDeps deps{&task,  &config,           &archive,      &evaluator, {&knob, &crossover},
                      &clock, &g_stop_requested, progress.get()};
  Controller controller(std::move(deps));
  return controller.Run();
}

void PrintSummary(const RunSummary& summary, const RunConfig& config) {
  std::cout << absl::StrFormat(
      "\nStopped: %s after %s. %d evaluated (%d failed, %d interrupted); %d proposals rejected, "
      "%d duplicates skipped.\n",
      summary.stop_reason, HumanDuration(summary.elapsed), summary.evaluated, summary.failed,
      summary.interrupted, summary.rejected_proposals, summary.duplicate_proposals);
  if (summary.best_id) {
    std::cout << absl::StrFormat(
        "Best: #%d with fitness %.6g. Next: cambrian show %d --run-dir %s ; cambrian replay %d ; "
        "cambrian export %d --patch\n",
        *summary.best_id, *summary.best_fitness, *summary.best_id, config.run_dir.string(),
        *summary.best_id, *summary.best_id);
  }
}

absl::Status RunSearch(const RunOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(fs::path task_path, ResolveTask(options.task));
  CAMBRIAN_ASSIGN_OR_RETURN(Task task, evaluator::LoadTask(task_path));
  CAMBRIAN_RETURN_IF_ERROR(CheckSeedMutable(task));
  CAMBRIAN_ASSIGN_OR_RETURN(RunConfig config, MakeConfig(options, task));
  RunPaths paths = PathsFor(config.run_dir);
  std::error_code ec;
  fs::create_directories(paths.dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", paths.dir.string()));
  CAMBRIAN_ASSIGN_OR_RETURN(RunLock lock, RunLock::Acquire(paths));
  CAMBRIAN_ASSIGN_OR_RETURN(auto archive, CreateRun(config, task, paths));
  LogInfo(absl::StrCat(
      "run ", paths.dir.string(), ": task ", task.name, ", ", config.workers, " workers, seed ",
      config.seed,
      config.max_evaluations ? absl::StrCat(", budget ", *config.max_evaluations, " evaluations")
                             : "",
      config.max_wall_time ? absl::StrCat(", time limit ", HumanDuration(*config.max_wall_time))
                           : ""));
  InstallStopHandlers();
  CAMBRIAN_RETURN_IF_ERROR(archive->AddEvent("run_started", RunConfigToJson(config)));
  absl::StatusOr<RunSummary> summary = Search(task, config, *archive, paths);
  if (!summary.ok()) {
    (void)archive->AddEvent("run_failed",
                            nlohmann::json{{"error", summary.status().message()}}.dump(
                                -1, ' ', false, nlohmann::json::error_handler_t::replace));
    return summary.status();
  }
  CAMBRIAN_RETURN_IF_ERROR(archive->AddEvent(
      "run_stopped",
      nlohmann::json{{"reason", summary->stop_reason}, {"evaluated", summary->evaluated}}.dump()));
  PrintSummary(*summary, config);
  archive::ListOptions top{.scored_only = false, .best_first = true, .limit = options.top};
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> best, archive->ListCandidates(top));
  std::cout << "\n" << FormatLeaderboard(best);
  return absl::OkStatus();
}

}  // namespace

Command RunCommand() {
  return {
      "run", "Search a task: evaluate its seed, then evolve children until a budget ends",
      [](CLI::App& app) {
        auto options = std::make_shared<RunOptions>();
        app.add_option("task", options->task, "Task directory or built-in task name")->required();
        app.add_option("--run-dir", options->run_dir,
                       "Where to keep the run (default runs/TASK-DATE-TIME)");
        app.add_option("--budget", options->budget,
                       "Stop after this many evaluations (default 100 if no --time)");
        app.add_option("--time", options->time, "Stop after this long, e.g. 3m, 2h");
        app.add_option("--workers", options->workers, "Parallel job slots")->capture_default_str();
        app.add_option("--seed", options->seed, "Seed of every random choice")
            ->capture_default_str();
        app.add_option("--top", options->top, "Leaderboard rows printed at the end")
            ->capture_default_str();
        app.add_flag("--keep-jobs", options->keep_jobs,
                     "Keep job directories under RUN_DIR/jobs for debugging");
        return [options] { return CommandResult{RunSearch(*options)}; };
      }};
}

}  // namespace cambrian::orchestrator
