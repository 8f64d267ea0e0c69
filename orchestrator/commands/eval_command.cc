// `cambrian eval TASK [--program DIR]`: one evaluation of a program through
// the task's stages, in the sandbox a run would use, without a search or a
// database. For task authors checking a judge, for users checking a program
// by hand, and for the planted-cheat suites (tests/cheats/).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/file_util.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/units.h"
#include "evaluator/evaluation_json.h"
#include "evaluator/evaluator.h"
#include "evaluator/task_loader.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/commands/eval_once.h"
#include "orchestrator/evaluator_setup.h"
#include "orchestrator/review.h"
#include "orchestrator/task_locator.h"
#include "sandbox/sandbox_factory.h"

namespace cambrian::orchestrator {
namespace {

namespace fs = std::filesystem;

struct EvalOptions {
  std::string task;
  std::string program;        // a directory whose files replace the seed's
  std::string exact_program;  // a directory holding the whole program
  std::string profile;
  std::string sandbox = "auto";
  std::string work_dir;  // default: a fresh temporary directory, removed after
  uint64_t seed = 0;     // 0: fresh
  std::string until;     // the last stage to run (empty: all, and the fitness)
  bool json = false;
  std::string result;  // also write the JSON here (atomically)
};

// The seed program with the files under `overlay` (relative paths kept) on
// top: a whole program, or just the edited file.
absl::StatusOr<Program> ProgramFor(const Task& task, const std::string& overlay) {
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, ReadProgramTree(task.program_root));
  if (overlay.empty()) return program;
  CAMBRIAN_ASSIGN_OR_RETURN(Program replaced, ReadProgramTree(overlay));
  if (replaced.empty()) return absl::InvalidArgumentError(absl::StrCat(overlay, " holds no file"));
  for (auto& [path, content] : replaced) program[path] = std::move(content);
  return program;
}

}  // namespace

void PrintEvaluation(const evaluator::Evaluation& evaluation, bool json) {
  if (json) {
    std::cout << evaluator::EvaluationToJson(evaluation) << "\n";
    return;
  }
  std::cout << absl::StrFormat("%-10s %-13s %5s %8s %8s %9s  %s\n", "stage", "outcome", "exit",
                               "wall", "cpu", "peak mem", "detail");
  for (const evaluator::StageResult& s : evaluation.stages) {
    std::cout << absl::StrFormat(
        "%-10s %-13s %5d %7.2fs %7.2fs %9s  %s\n", s.name + (s.judge ? "*" : ""),
        OutcomeName(s.outcome), s.job.exit_code, s.job.wall_seconds, s.job.cpu_seconds,
        Mebibytes(s.job.peak_rss_bytes), s.note.empty() ? s.job.detail : s.note);
  }
  std::cout << "(* judged: only the judge reported)\nmetrics\n";
  for (const auto& [name, value] : evaluation.metrics) {
    std::cout << absl::StrFormat("  %-22s %.6g\n", name, value);
  }
  if (!evaluation.feedback.empty()) std::cout << "feedback  " << evaluation.feedback << "\n";
  std::cout << "outcome   " << OutcomeName(evaluation.outcome);
  if (evaluation.fitness) std::cout << absl::StrFormat("  fitness %.6g", *evaluation.fitness);
  for (const auto& [name, value] : evaluation.objectives) {
    std::cout << absl::StrFormat("  %s %.6g", name, value);
  }
  if (!evaluation.note.empty()) std::cout << "  (" << evaluation.note << ")";
  std::cout << "\n";
}

NodeEvaluator::~NodeEvaluator() {
  std::error_code ec;
  if (temporary_) fs::remove_all(work_, ec);
}

absl::StatusOr<std::unique_ptr<NodeEvaluator>> NodeEvaluator::Make(const Task& task,
                                                                   const EvalSettings& settings) {
  auto out = std::unique_ptr<NodeEvaluator>(new NodeEvaluator());
  sandbox::SandboxOptions sandbox_options;
  CAMBRIAN_ASSIGN_OR_RETURN(sandbox_options.mode, sandbox::ParseSandboxMode(settings.sandbox));
  CAMBRIAN_ASSIGN_OR_RETURN(out->sandbox_, sandbox::MakeSandbox(sandbox_options));
  if (!out->sandbox_.warning.empty()) LogWarning(out->sandbox_.warning);
  out->temporary_ = settings.work_dir.empty();
  static std::atomic<int> made{0};
  out->work_ = out->temporary_ ? fs::temp_directory_path() /
                                     absl::StrCat("cambrian-eval-", getpid(), "-", made++)
                               : fs::absolute(settings.work_dir);
  std::error_code ec;
  fs::create_directories(out->work_ / "jobs", ec);
  // bubblewrap's uid walks down to the job directories.
  fs::permissions(out->work_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                  ec);
  CAMBRIAN_ASSIGN_OR_RETURN(out->fitness_, evaluator::MakeExpressionFitness(task.fitness_score));
  CAMBRIAN_ASSIGN_OR_RETURN(out->evaluator_,
                            MakePreparedEvaluator(task, *out->sandbox_.sandbox, *out->fitness_,
                                                  {.jobs_root = out->work_ / "jobs",
                                                   .keep_job_dirs = !out->temporary_,
                                                   .setup_dir = out->work_ / "setup"}));
  return out;
}

absl::StatusOr<evaluator::Evaluation> EvaluateOnce(const Task& task, const Program& program,
                                                   const std::vector<int>& gpus,
                                                   const EvalSettings& settings) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<NodeEvaluator> node,
                            NodeEvaluator::Make(task, settings));
  const uint64_t seed = settings.seed != 0 ? settings.seed : std::random_device{}();
  return node->evaluator().Evaluate(program, "eval", seed, nullptr, gpus);
}

namespace {

// --until STAGE: the stages up to STAGE only, and no fitness (a constant
// score, no plausibility), so that e.g. a CUDA task's build is checked on a
// machine without a GPU.
absl::Status KeepStagesUntil(const std::string& until, Task* task) {
  if (until.empty()) return absl::OkStatus();
  for (size_t i = 0; i < task->stages.size(); ++i) {
    if (task->stages[i].name != until) continue;
    task->stages.resize(i + 1);
    task->fitness_score = "0";
    task->objectives.clear();
    task->fitness_program.clear();
    task->plausible_lo.reset();
    task->plausible_hi.reset();
    task->plausible_if.clear();
    return absl::OkStatus();
  }
  std::string names;
  for (const StageSpec& stage : task->stages) absl::StrAppend(&names, " ", stage.name);
  return absl::InvalidArgumentError(absl::StrCat("--until ", until, ": task '", task->name,
                                                 "' has no such stage (it has:", names, ")"));
}

}  // namespace

absl::StatusOr<std::vector<int>> EvalGpus(const Task& task, bool until) {
  if (task.resources.gpus == 0) return std::vector<int>{};
  absl::StatusOr<std::vector<int>> found = MachineGpusFor(task);
  if (found.ok()) {
    found->resize(task.resources.gpus);
    return found;
  }
  if (until && !HasJudge(task)) {
    LogWarning(
        absl::StrCat(found.status().message(), ": running the stages before the GPU without one"));
    return std::vector<int>{};
  }
  return found.status();
}

namespace {

absl::StatusOr<int> Eval(const EvalOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(fs::path task_path, ResolveTask(options.task));
  CAMBRIAN_ASSIGN_OR_RETURN(Task task, evaluator::LoadTask(task_path, options.profile));
  CAMBRIAN_RETURN_IF_ERROR(KeepStagesUntil(options.until, &task));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<int> gpus, EvalGpus(task, !options.until.empty()));
  if (!options.program.empty() && !options.exact_program.empty()) {
    return absl::InvalidArgumentError("give --program or --exact-program, not both");
  }
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, ProgramFor(task, options.program));
  if (!options.exact_program.empty()) {
    CAMBRIAN_ASSIGN_OR_RETURN(program, ReadProgramTree(options.exact_program));
    if (program.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(options.exact_program, " holds no file"));
    }
  }
  CAMBRIAN_ASSIGN_OR_RETURN(
      evaluator::Evaluation evaluation,
      EvaluateOnce(
          task, program, gpus,
          {.sandbox = options.sandbox, .work_dir = options.work_dir, .seed = options.seed}));
  if (!options.result.empty()) {
    CAMBRIAN_RETURN_IF_ERROR(
        WriteFile(options.result, evaluator::EvaluationToJson(evaluation) + "\n"));
  }
  PrintEvaluation(evaluation, options.json);
  return evaluation.outcome == Outcome::kOk ? 0 : 3;
}

}  // namespace

Command EvalCommand() {
  return {
      "eval", "Evaluate one program through a task's stages (no search, no database)",
      [](CLI::App& app) {
        auto options = std::make_shared<EvalOptions>();
        app.add_option("task", options->task, "Task directory or built-in task name")->required();
        app.add_option("--program", options->program,
                       "Directory of files to evaluate in place of the seed's "
                       "(default: the seed itself)");
        app.add_option("--exact-program", options->exact_program,
                       "Directory holding the whole program to evaluate (no seed file is "
                       "added; the Slurm executor's jobs use this)");
        app.add_option("--profile", options->profile, "Task profile");
        app.add_option("--sandbox", options->sandbox, "auto, bwrap or process")
            ->capture_default_str();
        app.add_option("--work-dir", options->work_dir,
                       "Keep the setup and job directories here (default: a temporary one)");
        app.add_option("--seed", options->seed, "CAMBRIAN_SEED base (default: fresh)");
        app.add_option("--until", options->until,
                       "Run the stages up to this one only, without a fitness (e.g. `--until "
                       "build` checks that a CUDA program compiles on a machine without a GPU)");
        app.add_flag("--json", options->json, "Print the result as JSON");
        app.add_option("--result", options->result,
                       "Also write the result as JSON to this file (replaced atomically; the "
                       "Slurm executor reads it)");
        return [options] { return ResultOf(Eval(*options)); };
      }};
}

}  // namespace cambrian::orchestrator
