#include "evaluator/fitness_program.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "evaluator/metrics_file.h"
#include "nlohmann/json.hpp"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json MetricsJson(const Metrics& metrics, const std::set<std::string>* only) {
  json out = json::object();
  for (const auto& [name, value] : metrics) {
    if (only == nullptr || only->count(name) > 0) out[name] = value;
  }
  return out;
}

absl::Status Broken(const Task& task, const std::string& job_name, const std::string& what,
                    const std::string& output) {
  return absl::FailedPreconditionError(absl::StrCat(
      "task '", task.name, "': its [fitness] program ", what, " on candidate ", job_name,
      "; the program is the task's trusted code, so the task is broken, "
      "not the candidate (command: ",
      task.fitness_program, ")", output.empty() ? "" : ":\n", output));
}

}  // namespace

std::string FitnessProgramInput(const Task& task, const Evaluation& evaluation,
                                const std::set<std::string>& judged, uint64_t seed) {
  const bool task_judged = HasJudge(task);
  json stages = json::object();
  for (const StageResult& stage : evaluation.stages) {
    const bool stage_judged = stage.judge.has_value();
    stages[stage.name] = {
        {"outcome", OutcomeName(stage.outcome)},
        {"metrics",
         !task_judged || stage_judged ? MetricsJson(stage.metrics, nullptr) : json::object()},
        {"wall_seconds", stage.job.wall_seconds},
        {"cpu_seconds", stage.job.cpu_seconds},
        {"peak_rss_bytes", stage.job.peak_rss_bytes},
    };
  }
  const json input = {{"metrics", MetricsJson(evaluation.metrics, task_judged ? &judged : nullptr)},
                      {"stages", stages},
                      {"seed", seed}};
  return input.dump(2);
}

absl::StatusOr<FitnessProgramResult> RunFitnessProgram(const Task& task, sandbox::Sandbox& sandbox,
                                                       const TrustedPlaces& places,
                                                       const std::string& job_name, uint64_t seed,
                                                       const fs::path& out_root,
                                                       const std::string& input,
                                                       const std::atomic<bool>* cancel) {
  const fs::path scratch = out_root / "fitness.work";
  const fs::path out_dir = out_root / "fitness";
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(scratch));
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(out_dir));
  const fs::path input_file = scratch / "metrics.in.json";
  CAMBRIAN_RETURN_IF_ERROR(WriteFile(input_file, input));
  absl::StatusOr<sandbox::JobResult> job = sandbox.Run(
      FitnessProgramJob(task, places, job_name, seed, scratch, input_file, out_dir, cancel));
  if (!job.ok()) return Annotate(job.status(), "[fitness] program");
  if (job->outcome == Outcome::kKilled && cancel != nullptr && cancel->load()) {
    return absl::CancelledError("cancelled during the [fitness] program");
  }
  const bool rejects = job->outcome == Outcome::kRuntimeError &&
                       job->exit_code == kFitnessProgramRejects && job->term_signal == 0;
  if (job->outcome != Outcome::kOk && !rejects) {
    return Broken(task, job_name, absl::StrCat("failed (", job->detail, ")"), job->output_tail);
  }
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(out_dir);
  if (!report.ok()) {
    return Broken(task, job_name,
                  absl::StrCat("wrote a bad report (", report.status().message(), ")"),
                  job->output_tail);
  }
  FitnessProgramResult result;
  if (report->has_value()) {
    result.metrics = (*report)->metrics;
    result.feedback = (*report)->feedback;
  }
  if (rejects) {
    std::string why = result.feedback;
    if (why.empty()) why = job->output_tail.empty() ? "no reason given" : job->output_tail;
    result.reject = std::move(why);
    return result;
  }
  if (!report->has_value()) {
    return Broken(task, job_name, "exited 0 without writing $CAMBRIAN_OUT/metrics.json",
                  job->output_tail);
  }
  return result;
}

}  // namespace cambrian::evaluator
