// `cambrian run TASK`: an unattended search on one task.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "archive/sqlite_archive.h"
#include "common/clock.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "common/untrusted_text.h"
#include "evaluator/evaluator.h"
#include "evaluator/expression.h"
#include "evaluator/task_loader.h"
#include "mutators/crossover_mutator.h"
#include "mutators/knob_mutator.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/commands/preflight.h"
#include "orchestrator/commands/run_executor.h"
#include "orchestrator/commands/run_options.h"
#include "orchestrator/commands/run_output.h"
#include "orchestrator/controller.h"
#include "orchestrator/evaluator_setup.h"
#include "orchestrator/llm_setup.h"
#include "orchestrator/notifier.h"
#include "orchestrator/review.h"
#include "orchestrator/review_front.h"
#include "orchestrator/run_dir.h"
#include "orchestrator/task_locator.h"
#include "sandbox/gpu.h"
#include "sandbox/job_registry.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {
namespace {
namespace fs = std::filesystem;

// The one process-wide flag a signal may set; the controller polls it.
std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_signal{0};  // which signal asked, for the exit code

void OnStopSignal(int signal) {
  g_stop_signal.store(signal);
  g_stop_requested.store(true);
}

void InstallStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = OnStopSignal;
  // The first signal stops cleanly; a second one (the default action) ends
  // the process at once, should a clean stop wait on a slow LLM request.
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
}

absl::StatusOr<std::unique_ptr<archive::SqliteArchive>> CreateRun(const Clock& clock,
                                                                  const RunConfig& config,
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
  info.created_at = clock.Now();
  CAMBRIAN_RETURN_IF_ERROR(archive->SetRunInfo(info));
  return archive;
}

// The metrics the task's own expressions and features read: the ones an
// LLM is shown (a candidate may report hundreds more).
std::vector<std::string> NamedMetrics(const Task& task) {
  std::set<std::string> names;
  std::vector<std::string> expressions = {task.fitness_score, task.plausible_if};
  for (const StageSpec& stage : task.stages) expressions.push_back(stage.pass_if);
  for (const ObjectiveSpec& objective : task.objectives) {
    expressions.push_back(objective.expression);
    names.insert(objective.name);  // a fitness program's metric, by the default expr
  }
  for (const std::string& text : expressions) {
    if (text.empty()) continue;
    absl::StatusOr<evaluator::Expression> expression = evaluator::Expression::Compile(text);
    if (expression.ok())
      names.insert(expression->Variables().begin(), expression->Variables().end());
  }
  for (const FeatureSpec& feature : task.features) names.insert(feature.name);
  return {names.begin(), names.end()};
}

// With several objectives the prompt names them all and what progress is.
mutators::TaskBrief BriefOf(const Task& task) {
  auto goal = [](Goal g) { return std::string(g == Goal::kMaximize ? "maximize" : "minimize"); };
  if (!MultiObjective(task)) {
    return {task.name,       task.description,   task.instructions,
            goal(task.goal), task.fitness_score, NamedMetrics(task)};
  }
  std::vector<std::string> parts;
  for (const ObjectiveSpec& o : task.objectives) {
    parts.push_back(absl::StrCat(o.name, " (", goal(o.goal), ")"));
  }
  return {task.name,
          task.description,
          task.instructions,
          "improve along the Pareto front: better on one objective without being worse on the "
          "others",
          absl::StrJoin(parts, ", "),
          NamedMetrics(task)};
}

// What the model bandit learned, one line per model.
void LogModelStats(const RunConfig& config, const mutators::LlmMutator& mutator) {
  std::vector<mutators::ModelBandit::Arm> arms = mutator.ModelStats();
  for (size_t i = 0; i < arms.size() && i < config.llm.models.size(); ++i) {
    LogInfo(absl::StrFormat("model %s: %d calls, %d children beat their parent, $%.4f",
                            config.llm.models[i].model, arms[i].calls, arms[i].wins,
                            arms[i].cost_usd));
  }
}

absl::StatusOr<RunSummary> Search(const Clock& clock, const Task& task, RunConfig config,
                                  archive::Archive& archive, const RunPaths& paths,
                                  RunNotices* notices) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<RunExecutor> executor,
                            MakeRunExecutor(task, config, paths, archive));
  CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<LlmStack> llm, MakeLlmStack(config, archive));
  if (config.llm_concurrency == 0) {
    config.llm_concurrency = llm && llm->server_slots ? *llm->server_slots : kDefaultLlmConcurrency;
  }
  mutators::KnobMutator knob;
  mutators::CrossoverMutator crossover;
  std::unique_ptr<ProgressSink> progress = MakeProgressSink();
  mutators::TaskBrief brief = BriefOf(task);
  ControllerDeps deps;
  deps.task = &task;
  deps.config = &config;
  deps.archive = &archive;
  deps.evaluator = &executor->executor();
  deps.mutators = {&knob, &crossover};
  deps.brief = &brief;
  if (llm) {
    deps.mutators.push_back(llm->mutator.get());
    deps.spend = llm->meter.get();
    deps.llm_status = llm->status;
    deps.interrupt_llm = [stack = llm.get()] { stack->Interrupt(); };
    deps.embedder = llm->embedder.get();
  }
  deps.clock = &clock;
  deps.stop_requested = &g_stop_requested;
  deps.progress = progress.get();
  deps.gpus = executor->gpus.get();
  deps.notices = notices;
  if (executor->unisolated) deps.warning = "NO ISOLATION (sandbox process)";
  Controller controller(std::move(deps));
  absl::StatusOr<RunSummary> summary = controller.Run();
  if (llm && llm->mutator) LogModelStats(config, *llm->mutator);
  return summary;
}

// A new run: the task, its config from flags and file, a fresh database.
absl::StatusOr<std::unique_ptr<archive::SqliteArchive>> StartNew(const Clock& clock,
                                                                 const RunOptions& options,
                                                                 Task& task, RunConfig& config,
                                                                 std::optional<RunLock>& lock,
                                                                 bool& created_dir) {
  if (options.task.empty()) return absl::InvalidArgumentError("run needs a TASK");
  CAMBRIAN_ASSIGN_OR_RETURN(fs::path task_path, ResolveTask(options.task));
  CAMBRIAN_ASSIGN_OR_RETURN(task, evaluator::LoadTask(task_path, options.profile));
  CAMBRIAN_ASSIGN_OR_RETURN(config, MakeRunConfig(options, task, clock.Now()));
  CAMBRIAN_RETURN_IF_ERROR(CheckSeedMutable(task, config.llm.enabled()));
  // A task this machine cannot run is refused before a run directory exists.
  if (task.resources.gpus > 0 && config.executor == "local") {
    CAMBRIAN_RETURN_IF_ERROR(MachineGpusFor(task).status());
  }
  RunPaths paths = PathsFor(config.run_dir);
  std::error_code ec;
  created_dir = !fs::exists(paths.dir, ec);
  fs::create_directories(paths.dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", paths.dir.string()));
  CAMBRIAN_ASSIGN_OR_RETURN(RunLock held, RunLock::Acquire(paths));
  lock.emplace(std::move(held));
  return CreateRun(clock, config, task, paths);
}

// --resume: the stored task and config; the population comes from the
// database (Controller::Restore).
absl::StatusOr<std::unique_ptr<archive::SqliteArchive>> OpenExisting(const RunOptions& options,
                                                                     Task& task,
                                                                     RunConfig& config) {
  RunPaths paths = PathsFor(options.run_dir);  // checked to exist by RunSearch
  CAMBRIAN_ASSIGN_OR_RETURN(auto archive,
                            archive::SqliteArchive::Open(paths.db, archive::OpenMode::kReadWrite));
  CAMBRIAN_ASSIGN_OR_RETURN(archive::RunInfo info, archive->GetRunInfo());
  CAMBRIAN_ASSIGN_OR_RETURN(config, RunConfigFromJson(info.config_json));
  // A resume may have changed budgets: the newest effective config is the
  // one stored with the search state.
  nlohmann::json state = StoredRunState(*archive);
  if (state.contains("config")) {
    CAMBRIAN_ASSIGN_OR_RETURN(config, RunConfigFromJson(state["config"].dump()));
  }
  CAMBRIAN_RETURN_IF_ERROR(ApplyBudgetFlags(options, config));
  config.run_dir = options.run_dir;
  CAMBRIAN_ASSIGN_OR_RETURN(task, LoadRecordedTask(info));
  // Job directories of the stopped controller are stale.
  std::error_code ec;
  fs::remove_all(paths.jobs, ec);
  return archive;
}

bool NothingEvaluated(archive::Archive& archive) {
  absl::StatusOr<std::vector<archive::Candidate>> all = archive.ListCandidates({});
  if (!all.ok()) return false;
  return std::none_of(all->begin(), all->end(),
                      [](const archive::Candidate& c) { return c.outcome.has_value(); });
}

// Exit code 128 + the signal that stopped the run (130 for Ctrl-C), as a
// shell reports a process a signal ended: a script can tell an interrupted
// run from one that finished its budget. Everything is recorded either way.
absl::StatusOr<int> RunSearch(const RunOptions& options) {
  SystemClock clock;
  Task task;
  RunConfig config;
  std::optional<RunLock> lock;
  bool created_dir = false;
  if (options.resume) {
    if (options.run_dir.empty()) return absl::InvalidArgumentError("--resume needs --run-dir");
    if (!fs::exists(PathsFor(options.run_dir).db)) {
      return absl::NotFoundError(absl::StrCat("no run to resume in ", options.run_dir));
    }
    // Lock before touching anything: a live controller must be refused.
    CAMBRIAN_ASSIGN_OR_RETURN(RunLock held, RunLock::Acquire(PathsFor(options.run_dir)));
    lock.emplace(std::move(held));
  }
  absl::StatusOr<std::unique_ptr<archive::SqliteArchive>> opened =
      options.resume ? OpenExisting(options, task, config)
                     : StartNew(clock, options, task, config, lock, created_dir);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<archive::SqliteArchive> archive = *std::move(opened);
  RunPaths paths = PathsFor(config.run_dir);
  LogInfo(absl::StrCat(
      options.resume ? "resuming run " : "run ", paths.dir.string(), ": task ", task.name, ", ",
      config.workers, " workers, seed ", config.seed,
      config.max_evaluations ? absl::StrCat(", budget ", *config.max_evaluations, " evaluations")
                             : "",
      config.max_wall_time ? absl::StrCat(", time limit ", HumanDuration(*config.max_wall_time))
                           : ""));
  InstallStopHandlers();
  CAMBRIAN_RETURN_IF_ERROR(
      archive->AddEvent(options.resume ? "run_resumed" : "run_started", RunConfigToJson(config)));
  NoticeSetup notify = MakeNotices(config, paths, task, clock);
  absl::StatusOr<RunSummary> summary =
      Search(clock, task, config, *archive, paths, notify.notices.get());
  if (notify.notices) {
    if (summary.ok()) {
      notify.notices->Ended(
          summary->seed_failure.empty() ? summary->stop_reason : summary->seed_failure,
          summary->evaluated, summary->best_id, summary->best_fitness,
          !summary->seed_failure.empty());
    } else {
      notify.notices->Ended(std::string(summary.status().message()), 0, std::nullopt, std::nullopt,
                            true);
    }
  }
  if (!summary.ok()) {
    (void)archive->AddEvent("run_failed",
                            nlohmann::json{{"error", summary.status().message()}}.dump(
                                -1, ' ', false, nlohmann::json::error_handler_t::replace));
    if (created_dir && NothingEvaluated(*archive)) {
      // A run that failed before its first evaluation (a missing key, a
      // server that refused) leaves no directory to become the "latest".
      archive.reset();
      lock.reset();
      std::error_code ec;
      fs::remove_all(paths.dir, ec);
      if (!ec) LogInfo(absl::StrCat("removed ", paths.dir.string(), ": nothing was evaluated"));
    }
    return summary.status();
  }
  CAMBRIAN_RETURN_IF_ERROR(archive->AddEvent(
      "run_stopped",
      nlohmann::json{{"reason", summary->stop_reason}, {"evaluated", summary->evaluated}}.dump()));
  std::optional<archive::LlmTotals> llm;
  if (config.llm.enabled()) {
    CAMBRIAN_ASSIGN_OR_RETURN(llm, archive->GetLlmTotals());
  }
  std::set<int64_t> front;
  if (MultiObjective(task)) {
    // The front as review computes it, from every recorded candidate.
    CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> scored,
                              archive->ListCandidates({.scored_only = true}));
    front = RunFront(task, scored);
    summary->front.assign(front.begin(), front.end());
  }
  PrintSummary(*summary, config, llm);
  PrintConfirmations(*summary, task);
  archive::ListOptions top{.scored_only = false, .best_first = true, .limit = options.top};
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<archive::Candidate> best, archive->ListCandidates(top));
  std::cout << "\n" << FormatLeaderboard(best, TaskLeaderboardFormat(task, front));
  if (!summary->seed_failure.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(summary->seed_failure, "\n  `cambrian check ", ShellQuote(task.dir.string()),
                     "` runs the seed alone and shows every stage"));
  }
  const int signal = g_stop_signal.load();
  return signal == 0 ? 0 : 128 + signal;
}

}  // namespace

Command ResumeCommand() {
  return {"resume", "Continue a stopped or killed run (same as run --resume --run-dir RUN_DIR)",
          [](CLI::App& app) {
            auto options = std::make_shared<RunOptions>();
            AddResumeFlags(app, *options);
            return [options] { return ResultOf(RunSearch(*options)); };
          }};
}

Command RunCommand() {
  return {"run", "Search a task: evaluate its seed, then evolve children until a budget ends",
          [](CLI::App& app) {
            auto options = std::make_shared<RunOptions>();
            AddRunFlags(app, *options);
            return [options] { return ResultOf(RunSearch(*options)); };
          }};
}

}  // namespace cambrian::orchestrator
