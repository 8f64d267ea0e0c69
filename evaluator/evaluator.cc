#include "evaluator/evaluator.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"
#include "evaluator/metrics_file.h"
#include "sandbox/environment.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;

constexpr char kCodeLinesMetric[] = "code_lines";
constexpr char kTmpDirName[] = ".cambrian-tmp";

struct JobPaths {
  fs::path job_dir;   // the candidate's files; the job's cwd and HOME
  fs::path out_root;  // one fresh output directory per stage below it
};

// Removes a job's directories when the evaluation ends, however it ends.
class JobDirCleanup {
 public:
  JobDirCleanup(const JobPaths& paths, bool keep) : paths_(paths), keep_(keep) {}
  ~JobDirCleanup() {
    if (keep_) return;
    std::error_code ec;  // best effort: a leftover directory is not worth failing for
    fs::remove_all(paths_.job_dir, ec);
    fs::remove_all(paths_.out_root, ec);
  }

 private:
  const JobPaths& paths_;
  bool keep_;
};

bool IsSafeJobName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

absl::Status FreshDir(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!ec) fs::create_directories(dir, ec);
  if (ec)
    return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  return absl::OkStatus();
}

sandbox::JobSpec MakeJobSpec(const Task& task, const EvaluatorOptions& options,
                             const StageSpec& stage, uint64_t seed, const std::string& job_name,
                             const JobPaths& paths, const fs::path& out_dir,
                             const std::atomic<bool>* cancel) {
  sandbox::JobSpec spec;
  spec.argv = {"/bin/sh", "-c", stage.run};
  spec.work_dir = paths.job_dir;
  spec.env = sandbox::JobEnvironment({
      {"CAMBRIAN_OUT", out_dir.string()},
      {"CAMBRIAN_TRUSTED", task.trusted_root.string()},
      {"CAMBRIAN_SEED", absl::StrCat(seed)},
      {"CAMBRIAN_STAGE", stage.name},
      {"CAMBRIAN_CANDIDATE", job_name},
      {"CAMBRIAN_JOB_DIR", paths.job_dir.string()},
      {"HOME", paths.job_dir.string()},
      {"TMPDIR", (paths.job_dir / kTmpDirName).string()},
  });
  // The task profile's variables; insert never replaces the protocol's own.
  spec.env.insert(task.stage_env.begin(), task.stage_env.end());
  spec.limits.wall_timeout = stage.timeout;
  // A CPU-time cap as a backstop to the wall clock: a job may use its
  // declared cores for the whole timeout, and no more.
  spec.limits.cpu_time = stage.timeout * std::max(1, task.resources.cpus) + absl::Seconds(1);
  // The whole tree's memory: a cgroup where the sandbox has one, else the
  // sandbox turns it into a per-process address-space limit.
  spec.limits.memory_bytes = task.resources.memory_bytes;
  spec.limits.file_size_bytes = task.resources.file_bytes;
  spec.limits.output_bytes = task.resources.output_bytes;
  spec.limits.max_processes = options.max_processes;
  spec.limits.disk_bytes =
      options.disk_bytes > 0 ? options.disk_bytes : 8 * task.resources.file_bytes;
  spec.cancel = cancel;
  spec.writable_paths = {out_dir};
  if (!task.trusted_root.empty()) spec.read_only_paths = {task.trusted_root};
  return spec;
}

// "correct = 0, max_err = 0.3": the values an expression saw, for notes.
std::string DescribeValues(const Expression& expression, const Metrics& metrics) {
  std::vector<std::string> parts;
  for (const std::string& name : expression.Variables()) {
    auto it = metrics.find(name);
    if (it != metrics.end()) parts.push_back(absl::StrCat(name, " = ", it->second));
  }
  return absl::StrJoin(parts, ", ");
}

// Reads the stage's metrics.json into `evaluation`. A malformed report turns
// an otherwise passing stage into kWrongAnswer; a failed stage keeps its own
// outcome (the report is then only a symptom) but the note still says why.
void MergeReport(const fs::path& out_dir, int code_lines, StageResult* stage,
                 Evaluation* evaluation) {
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(out_dir);
  if (!report.ok()) {
    if (stage->outcome == Outcome::kOk) stage->outcome = Outcome::kWrongAnswer;
    stage->note = std::string(report.status().message());
    return;
  }
  if (!report->has_value()) return;
  for (const auto& [name, value] : (*report)->metrics) evaluation->metrics[name] = value;
  // Built-ins are measured by the harness; a job cannot override them.
  evaluation->metrics[kCodeLinesMetric] = code_lines;
  if (!(*report)->feedback.empty()) evaluation->feedback = (*report)->feedback;
}

// Applies the stage's pass_if to the metrics so far. Only a pass_if that does
// not compile (a Task that did not come from LoadTask) is a harness error.
absl::Status CheckPassIf(const StageSpec& spec, const Metrics& metrics, StageResult* stage) {
  if (spec.pass_if.empty() || stage->outcome != Outcome::kOk) return absl::OkStatus();
  CAMBRIAN_ASSIGN_OR_RETURN(Expression pass_if, Expression::Compile(spec.pass_if));
  absl::StatusOr<double> value = pass_if.Evaluate(metrics);
  if (std::optional<std::string> missing = MissingMetricName(value.status()); missing) {
    stage->outcome = Outcome::kWrongAnswer;
    stage->note = absl::StrCat("pass_if needs metric '", *missing, "', which no stage reported");
    return absl::OkStatus();
  }
  CAMBRIAN_RETURN_IF_ERROR(value.status());
  if (*value != 0 && !std::isnan(*value)) return absl::OkStatus();
  stage->outcome = Outcome::kWrongAnswer;
  stage->note =
      absl::StrCat("pass_if '", spec.pass_if, "' failed (", DescribeValues(pass_if, metrics), ")");
  return absl::OkStatus();
}

}  // namespace

Evaluator::Evaluator(const Task& task, sandbox::Sandbox& sandbox, const FitnessFunction& fitness,
                     EvaluatorOptions options)
    : task_(task), sandbox_(sandbox), fitness_(fitness), options_(std::move(options)) {
  std::error_code ec;
  if (!options_.check_trusted || !fs::is_directory(task_.trusted_root, ec)) return;
  // A tree HashTree cannot read (a symlink in it) is left unchecked.
  absl::StatusOr<std::string> hash = HashTree(task_.trusted_root);
  if (hash.ok()) trusted_hash_ = *std::move(hash);
}

absl::StatusOr<bool> Evaluator::TrustedIntact() const {
  if (trusted_hash_.empty()) return true;
  // A job that planted a symlink or an unreadable file made it unreadable:
  // that is a change too.
  absl::StatusOr<std::string> now = HashTree(task_.trusted_root);
  return now.ok() && *now == trusted_hash_;
}

absl::StatusOr<Evaluation> Evaluator::Evaluate(const Program& program, const std::string& job_name,
                                               uint64_t seed, const std::atomic<bool>* cancel,
                                               const std::optional<std::vector<int>>& gpus) const {
  if (!IsSafeJobName(job_name)) {
    return absl::InvalidArgumentError(absl::StrCat("bad job name '", job_name, "'"));
  }
  const JobPaths paths{options_.jobs_root / job_name, options_.jobs_root / (job_name + ".out")};
  JobDirCleanup cleanup(paths, options_.keep_job_dirs);
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(paths.job_dir));
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(paths.out_root));
  CAMBRIAN_RETURN_IF_ERROR(WriteProgramTree(paths.job_dir, program));
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(paths.job_dir / kTmpDirName));

  Evaluation evaluation;
  const int code_lines = CountLines(program);
  evaluation.metrics[kCodeLinesMetric] = code_lines;
  for (size_t i = 0; i < task_.stages.size(); ++i) {
    // Cancelled between stages: starting the next job only to kill it would
    // waste a build, so stop here.
    if (cancel != nullptr && cancel->load()) {
      evaluation.outcome = Outcome::kKilled;
      evaluation.note = absl::StrCat("cancelled before stage '", task_.stages[i].name, "'");
      return evaluation;
    }
    CAMBRIAN_ASSIGN_OR_RETURN(StageResult stage, RunStage(i, seed + i, job_name, paths.job_dir,
                                                          paths.out_root, cancel, gpus));
    if (stage.outcome != Outcome::kTampered) {
      MergeReport(paths.out_root / stage.name, code_lines, &stage, &evaluation);
    }
    CAMBRIAN_RETURN_IF_ERROR(CheckPassIf(task_.stages[i], evaluation.metrics, &stage));
    evaluation.outcome = stage.outcome;
    if (stage.outcome != Outcome::kOk) {
      evaluation.note = absl::StrCat("stage '", stage.name,
                                     "': ", stage.note.empty() ? stage.job.detail : stage.note);
    }
    evaluation.stages.push_back(std::move(stage));
    if (evaluation.outcome != Outcome::kOk) return evaluation;
  }
  CAMBRIAN_RETURN_IF_ERROR(Score(&evaluation));
  return evaluation;
}

absl::StatusOr<StageResult> Evaluator::RunStage(size_t index, uint64_t seed,
                                                const std::string& job_name,
                                                const fs::path& job_dir, const fs::path& out_root,
                                                const std::atomic<bool>* cancel,
                                                const std::optional<std::vector<int>>& gpus) const {
  const StageSpec& spec = task_.stages[index];
  const fs::path out_dir = out_root / spec.name;
  // Fresh per stage, so a stage cannot pre-seed a later stage's report.
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(out_dir));
  CAMBRIAN_ASSIGN_OR_RETURN(bool intact_before, TrustedIntact());
  if (!intact_before) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the task's trusted files in ", task_.trusted_root.string(),
        " changed since the run started (by an earlier job or by hand); restore them"));
  }
  const JobPaths paths{job_dir, out_root};
  sandbox::JobSpec job_spec =
      MakeJobSpec(task_, options_, spec, seed, job_name, paths, out_dir, cancel);
  job_spec.gpus = gpus;
  absl::StatusOr<sandbox::JobResult> job = sandbox_.Run(job_spec);
  if (!job.ok()) return Annotate(job.status(), absl::StrCat("stage '", spec.name, "'"));
  StageResult stage{
      .name = spec.name, .outcome = job->outcome, .job = *std::move(job), .seed = seed, .note = ""};
  CAMBRIAN_ASSIGN_OR_RETURN(bool intact_after, TrustedIntact());
  if (!intact_after) {
    // Never scored, whatever the job reported.
    stage.outcome = Outcome::kTampered;
    stage.note = "trusted files changed: the job wrote outside its own directories";
    return stage;
  }
  // A non-zero exit while building means the candidate does not compile.
  if (stage.outcome == Outcome::kRuntimeError && (index == 0 || spec.name == "build")) {
    stage.outcome = Outcome::kBuildError;
  }
  return stage;
}

absl::Status Evaluator::Score(Evaluation* evaluation) const {
  absl::StatusOr<double> fitness = fitness_.Score(evaluation->metrics);
  if (fitness.ok()) {
    evaluation->fitness = *fitness;
    return absl::OkStatus();
  }
  std::string note;
  if (std::optional<std::string> missing = MissingMetricName(fitness.status()); missing) {
    note = absl::StrCat("fitness needs metric '", *missing, "', which no stage reported");
  } else if (fitness.status().code() == absl::StatusCode::kInvalidArgument) {
    note = std::string(fitness.status().message());
  } else {
    return Annotate(fitness.status(), "fitness");
  }
  evaluation->outcome = Outcome::kWrongAnswer;
  evaluation->note = std::move(note);
  return absl::OkStatus();
}

}  // namespace cambrian::evaluator
