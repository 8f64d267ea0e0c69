// `cambrian replay ID [--repeats N]`: rebuild a candidate from the archive in
// a fresh directory, re-run every stage with fresh seeds, and say whether the
// new measurements agree with the stored ones within the task's tolerance.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "evaluator/evaluator.h"
#include "evaluator/task_loader.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/controller.h"
#include "orchestrator/evaluator_setup.h"
#include "orchestrator/review.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {
namespace {

struct ReplayOptions {
  int64_t id = 0;
  std::string run_dir;
  int repeats = 1;
  uint64_t seed = 0;  // 0: a fresh random seed
};

bool Agrees(double stored, double fresh, double tolerance) {
  return std::fabs(fresh - stored) <= tolerance * std::max(std::fabs(stored), 1e-12);
}

void PrintComparison(const archive::Candidate& stored,
                     const std::vector<evaluator::Evaluation>& runs) {
  std::set<std::string> names;
  for (const auto& [name, value] : stored.metrics) names.insert(name);
  for (const evaluator::Evaluation& run : runs) {
    for (const auto& [name, value] : run.metrics) names.insert(name);
  }
  std::cout << absl::StrFormat("%-20s %14s", "metric", "stored");
  for (size_t i = 0; i < runs.size(); ++i)
    std::cout << absl::StrFormat(" %14s", absl::StrCat("replay ", i + 1));
  std::cout << "\n";
  auto cell = [](const Metrics& metrics, const std::string& name) {
    auto it = metrics.find(name);
    return it == metrics.end() ? std::string("-") : absl::StrFormat("%.6g", it->second);
  };
  for (const std::string& name : names) {
    std::cout << absl::StrFormat("%-20s %14s", name, cell(stored.metrics, name));
    for (const auto& run : runs) std::cout << absl::StrFormat(" %14s", cell(run.metrics, name));
    std::cout << "\n";
  }
  auto fitness = [](const std::optional<double>& f) {
    return f ? absl::StrFormat("%.6g", *f) : std::string("-");
  };
  for (const auto& [name, value] : stored.objectives) {
    std::cout << absl::StrFormat("%-20s %14s", Cell("objective " + name, 20),
                                 cell(stored.objectives, name));
    for (const auto& run : runs) std::cout << absl::StrFormat(" %14s", cell(run.objectives, name));
    std::cout << "\n";
  }
  std::cout << absl::StrFormat("%-20s %14s", "fitness", fitness(stored.fitness));
  for (const auto& run : runs) std::cout << absl::StrFormat(" %14s", fitness(run.fitness));
  std::cout << absl::StrFormat("\n%-20s %14s", "outcome",
                               stored.outcome ? OutcomeName(*stored.outcome) : "-");
  for (const auto& run : runs) std::cout << absl::StrFormat(" %14s", OutcomeName(run.outcome));
  std::cout << "\n";
}

// Mean, spread and count of the replays' fitness, and of each objective.
void PrintReplayStats(const Task& task, const std::vector<evaluator::Evaluation>& runs,
                      const std::vector<double>& scores) {
  auto line = [&](const std::string& what, const std::vector<double>& values) {
    const Stats stats = StatsOf(values);
    std::cout << absl::StrFormat("%s over the replays: mean %.6g, spread %.3g, %d of %d scored\n",
                                 what, stats.mean, stats.spread, stats.count,
                                 static_cast<int>(runs.size()));
  };
  line("fitness", scores);
  for (const ObjectiveSpec& objective : task.objectives) {
    std::vector<double> values;
    for (const evaluator::Evaluation& run : runs) {
      auto it = run.objectives.find(objective.name);
      if (it != run.objectives.end()) values.push_back(it->second);
    }
    line(absl::StrCat("objective ", objective.name), values);
  }
}

absl::StatusOr<std::vector<evaluator::Evaluation>> Rerun(const Task& task, const Program& program,
                                                         const ReplayOptions& options,
                                                         const OpenedRun& run) {
  // The sandbox the run was configured with (a replay is a candidate's code
  // running again: it gets the same isolation).
  sandbox::SandboxOptions sandbox_options;
  absl::StatusOr<RunConfig> config = RunConfigFromJson(run.info.config_json);
  CAMBRIAN_ASSIGN_OR_RETURN(sandbox_options.mode,
                            sandbox::ParseSandboxMode(config.ok() ? config->sandbox : "auto"));
  sandbox_options.state_dir = run.paths.dir / ".sandbox";
  CAMBRIAN_ASSIGN_OR_RETURN(sandbox::SandboxChoice sandbox, sandbox::MakeSandbox(sandbox_options));
  if (!sandbox.warning.empty()) LogWarning(sandbox.warning);
  CAMBRIAN_ASSIGN_OR_RETURN(auto fitness, evaluator::MakeExpressionFitness(task.fitness_score));
  // Its own setup directory: the run's may be in use by a live controller.
  const std::filesystem::path setup = run.paths.replays / absl::StrCat("setup-", getpid());
  struct RemoveSetup {
    std::filesystem::path dir;
    ~RemoveSetup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      std::filesystem::remove(dir.string() + ".key", ec);
    }
  } remove_setup{setup};
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::unique_ptr<evaluator::Evaluator> evaluator,
      MakePreparedEvaluator(
          task, *sandbox.sandbox, *fitness,
          {.jobs_root = run.paths.replays, .keep_job_dirs = false, .setup_dir = setup}));
  uint64_t base = options.seed != 0 ? options.seed : std::random_device{}();
  std::vector<evaluator::Evaluation> runs;
  for (int r = 0; r < options.repeats; ++r) {
    std::string job = absl::StrCat("c", options.id, "-r", r + 1, "-", getpid());
    LogInfo(absl::StrCat("replaying #", options.id, " (", r + 1, "/", options.repeats, ")"));
    CAMBRIAN_ASSIGN_OR_RETURN(evaluator::Evaluation evaluation,
                              evaluator->Evaluate(program, job, EvaluationSeed(base, r), nullptr));
    runs.push_back(std::move(evaluation));
  }
  return runs;
}

absl::StatusOr<int> Replay(const ReplayOptions& options) {
  if (options.repeats < 1) return absl::InvalidArgumentError("--repeats must be at least 1");
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadWrite));
  CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate stored,
                            GetCandidateOrExplain(*run.archive, options.id));
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, run.archive->GetProgram(stored.program_hash));
  CAMBRIAN_ASSIGN_OR_RETURN(Task task, LoadRecordedTask(run.info));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<evaluator::Evaluation> runs,
                            Rerun(task, program, options, run));
  PrintComparison(stored, runs);
  bool agree = true;
  nlohmann::json fitnesses = nlohmann::json::array();
  std::vector<double> scores;
  for (const evaluator::Evaluation& fresh : runs) {
    bool same_outcome = stored.outcome && fresh.outcome == *stored.outcome;
    bool same_fitness = !stored.fitness ||
                        (fresh.fitness && Agrees(*stored.fitness, *fresh.fitness, task.tolerance));
    // Each objective within its own tolerance (the task's where it has none).
    for (const ObjectiveSpec& objective : task.objectives) {
      auto was = stored.objectives.find(objective.name);
      auto now = fresh.objectives.find(objective.name);
      if (was == stored.objectives.end() || !stored.fitness) continue;
      same_fitness = same_fitness && now != fresh.objectives.end() &&
                     Agrees(was->second, now->second, objective.tolerance.value_or(task.tolerance));
    }
    agree = agree && same_outcome && same_fitness;
    fitnesses.push_back(fresh.fitness ? nlohmann::json(*fresh.fitness) : nlohmann::json(nullptr));
    if (fresh.fitness) scores.push_back(*fresh.fitness);
  }
  if (runs.size() > 1) PrintReplayStats(task, runs, scores);
  std::cout << absl::StrFormat(
      "\n#%d %s: %d replay(s) %s the stored result within the task's "
      "tolerance of %.0f%%\n",
      options.id, agree ? "holds" : "DOES NOT HOLD", options.repeats,
      agree ? "agree with" : "disagree with", task.tolerance * 100);
  CAMBRIAN_RETURN_IF_ERROR(run.archive->AddEvent(
      "replay",
      nlohmann::json{{"candidate", options.id}, {"fitness", fitnesses}, {"agrees", agree}}.dump()));
  return agree ? 0 : kExitDisagree;
}

}  // namespace

Command ReplayCommand() {
  return {
      "replay", "Re-run a candidate from scratch and check its result holds", [](CLI::App& app) {
        auto options = std::make_shared<ReplayOptions>();
        app.add_option("id", options->id, "Candidate id")->required();
        app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
        app.add_option("--repeats", options->repeats, "Independent re-runs")->capture_default_str();
        app.add_option("--seed", options->seed, "Seed for the re-runs (default: fresh)");
        return [options] { return ResultOf(Replay(*options)); };
      }};
}

}  // namespace cambrian::orchestrator
