// `cambrian check TASK`: is a task ready to search? Loads it (errors name
// the file and line), checks the seed's knobs and features, runs the seed
// once through every stage and prints what each did, then the fitness.
// Exits 1 with the reason when the seed fails: the check to run before
// leaving a search overnight.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "common/untrusted_text.h"
#include "evaluator/task_loader.h"
#include "mutators/knobs.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/commands/eval_once.h"
#include "orchestrator/commands/preflight.h"
#include "orchestrator/task_locator.h"

namespace cambrian::orchestrator {
namespace {

struct CheckOptions {
  std::string task;
  std::string profile;
  std::string sandbox = "auto";
  bool json = false;
};

// What the search will work with, before anything runs.
void PrintPlan(const Task& task, const std::vector<mutators::Knob>& knobs) {
  std::vector<std::string> stages;
  for (const StageSpec& stage : task.stages) stages.push_back(stage.name);
  std::cout << "task      " << task.name << " (" << task.dir.string() << ")\n"
            << "stages    " << absl::StrJoin(stages, " -> ") << "\n"
            << "fitness   " << task.fitness_score << " ("
            << (task.goal == Goal::kMaximize ? "maximize" : "minimize") << ")\n";
  if (MultiObjective(task)) {
    std::cout << "objectives "
              << absl::StrJoin(task.objectives, ", ",
                               [](std::string* out, const ObjectiveSpec& o) {
                                 absl::StrAppend(out, o.name, " (",
                                                 o.goal == Goal::kMaximize ? "max" : "min", ")");
                               })
              << ": a Pareto front\n";
  }
  if (!task.fitness_program.empty()) std::cout << "program   " << task.fitness_program << "\n";
  std::cout << "knobs     ";
  if (knobs.empty()) {
    std::cout << "none: only an LLM (--llm) can change the seed\n";
  } else {
    std::cout << absl::StrJoin(knobs, ", ", [](std::string* out, const mutators::Knob& knob) {
      out->append(knob.name);
    }) << "\n";
  }
  std::cout << "running the seed through every stage...\n\n";
}

absl::StatusOr<int> Check(const CheckOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(std::filesystem::path path, ResolveTask(options.task));
  CAMBRIAN_ASSIGN_OR_RETURN(Task task, evaluator::LoadTask(path, options.profile));
  CAMBRIAN_RETURN_IF_ERROR(CheckSeedMutable(task, /*have_llm=*/true));
  CAMBRIAN_ASSIGN_OR_RETURN(Program seed, ReadProgramTree(task.program_root));
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<mutators::Knob> knobs,
                            mutators::FindKnobs(seed, task.editable));
  if (!options.json) PrintPlan(task, knobs);
  CAMBRIAN_ASSIGN_OR_RETURN(std::vector<int> gpus, EvalGpus(task, /*until=*/false));
  CAMBRIAN_ASSIGN_OR_RETURN(evaluator::Evaluation evaluation,
                            EvaluateOnce(task, seed, gpus, {.sandbox = options.sandbox}));
  PrintEvaluation(evaluation, options.json);
  if (!evaluation.fitness) {
    return absl::FailedPreconditionError(
        absl::StrCat("the seed failed (", std::string(OutcomeName(evaluation.outcome)),
                     "): ", evaluation.note.empty() ? "no fitness" : evaluation.note,
                     "; a run would stop at once (see `cambrian run --seed-may-fail`)"));
  }
  if (!options.json) {
    std::cout << "\nready: `cambrian run " << ShellQuote(options.task) << "` will search it\n";
  }
  return 0;
}

}  // namespace

Command CheckCommand() {
  return {
      "check", "Check a task: load it, run its seed through every stage, show each result",
      [](CLI::App& app) {
        auto options = std::make_shared<CheckOptions>();
        app.add_option("task", options->task, "Task directory or built-in task name")->required();
        app.add_option("--profile", options->profile, "Task profile");
        app.add_option("--sandbox", options->sandbox, "auto, bwrap or process")
            ->capture_default_str();
        app.add_flag("--json", options->json, "Print the seed's evaluation as JSON");
        return [options] { return ResultOf(Check(*options)); };
      }};
}

}  // namespace cambrian::orchestrator
