#include "evaluator/evaluator.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"
#include "evaluator/judged_stage.h"
#include "evaluator/metrics_file.h"
#include "evaluator/plausibility.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;

constexpr char kCodeLinesMetric[] = "code_lines";
constexpr char kTmpDirName[] = ".cambrian-tmp";  // the job's TMPDIR (job_specs.cc)

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

// The first "model name" line of /proc/cpuinfo.
std::string CpuModel(const std::string& cpuinfo) {
  const size_t at = cpuinfo.find("model name");
  if (at == std::string::npos) return "";
  return cpuinfo.substr(at, cpuinfo.find('\n', at) - at);
}

// How a stage's report is merged: whether the stage is judged, and whether
// the task has any judge (then only judges' metrics may decide a score).
struct MergeRules {
  bool judged = false;
  bool task_judged = false;
};

bool IsSafeJobName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
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

// The sandbox keeps the end of a job's output; say so where it cut, so
// nobody reads a tail as the whole story.
void MarkCutOutput(sandbox::JobResult* job) {
  const auto kept = static_cast<int64_t>(job->output_tail.size());
  if (job->output_bytes <= kept) return;
  job->output_tail = absl::StrCat("[... ", job->output_bytes - kept,
                                  " earlier bytes of output cut]\n", job->output_tail);
}

// Reads the stage's metrics.json into `evaluation`. A malformed report turns
// an otherwise passing stage into kWrongAnswer; a failed stage keeps its own
// outcome (the report is then only a symptom) but the note still says why.
// In a task with a judge, `trusted` collects the names judges reported, and
// no unjudged stage (candidate code) may override them.
void MergeReport(const fs::path& out_dir, int code_lines, const MergeRules& rules,
                 StageResult* stage, Evaluation* evaluation, std::set<std::string>* trusted) {
  absl::StatusOr<std::optional<StageReport>> report = ReadStageReport(out_dir);
  if (!report.ok()) {
    if (stage->outcome == Outcome::kOk) stage->outcome = Outcome::kWrongAnswer;
    stage->note = std::string(report.status().message());
    return;
  }
  if (!report->has_value()) {
    if (rules.judged && stage->outcome == Outcome::kOk) {
      stage->outcome = Outcome::kRuntimeError;
      stage->note = "the judge exited 0 without writing metrics.json";
    }
    return;
  }
  stage->metrics = (*report)->metrics;
  for (const auto& [name, value] : (*report)->metrics) {
    if (rules.task_judged && !rules.judged && trusted->count(name) > 0) continue;
    evaluation->metrics[name] = value;
    if (rules.judged) trusted->insert(name);
  }
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

// What a setup's output depends on: its command, the trusted files, the
// kernels library, the profile's variables, and the machine (a setup may
// compile for the CPU it runs on).
absl::StatusOr<std::string> SetupKey(const Task& task, const fs::path& kernels_dir) {
  std::string text = absl::StrCat("setup\n", task.setup, "\nprofile ", task.profile, "\n");
  for (const auto& [name, value] : task.stage_env) absl::StrAppend(&text, name, "=", value, "\n");
  for (const fs::path& dir : {task.trusted_root, kernels_dir}) {
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) continue;
    CAMBRIAN_ASSIGN_OR_RETURN(std::string hash, HashTree(dir));
    absl::StrAppend(&text, dir.string(), " ", hash, "\n");
  }
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  absl::StatusOr<std::string> cpus = ReadFile("/proc/cpuinfo");
  absl::StrAppend(&text, "host ", host, "\n", cpus.ok() ? CpuModel(*cpus) : "", "\n");
  return Sha256Hex(text);
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

TrustedPlaces Evaluator::Places() const {
  return {.kernels_dir = options_.kernels_dir,
          .setup_dir = options_.setup_dir,
          .max_processes = options_.max_processes,
          .disk_bytes = options_.disk_bytes};
}

absl::Status Evaluator::Prepare() {
  if (task_.setup.empty()) return absl::OkStatus();
  if (options_.setup_dir.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("task '", task_.name, "' has a [trusted] setup but no setup directory"));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(const std::string key, SetupKey(task_, options_.kernels_dir));
  const fs::path key_file = options_.setup_dir.string() + ".key";
  // What an earlier session built from the same inputs on this machine is
  // reused (a resume, a replay, eval with one --work-dir), if intact.
  absl::StatusOr<std::string> stored = ReadFile(key_file);
  absl::StatusOr<std::string> built = HashTree(options_.setup_dir);
  if (stored.ok() && built.ok() && *stored == absl::StrCat(key, " ", *built)) {
    setup_hash_ = *std::move(built);
    return absl::OkStatus();
  }
  std::error_code ec;
  fs::remove(key_file, ec);
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(options_.setup_dir));
  absl::StatusOr<sandbox::JobResult> job = sandbox_.Run(SetupJob(task_, Places()));
  if (!job.ok()) return Annotate(job.status(), "[trusted] setup");
  if (job->outcome != Outcome::kOk) {
    return absl::FailedPreconditionError(absl::StrCat(
        "task '", task_.name, "': [trusted] setup failed (", job->detail,
        "); it runs only the task's own files, so the task is broken:\n", job->output_tail));
  }
  absl::StatusOr<std::string> hash = HashTree(options_.setup_dir);
  if (!hash.ok()) return Annotate(hash.status(), "[trusted] setup's output");
  setup_hash_ = *std::move(hash);
  return WriteFile(key_file, absl::StrCat(key, " ", setup_hash_));
}

absl::StatusOr<bool> Evaluator::TrustedIntact() const {
  // A job that planted a symlink or an unreadable file made a tree
  // unreadable: that is a change too.
  if (!trusted_hash_.empty()) {
    absl::StatusOr<std::string> now = HashTree(task_.trusted_root);
    if (!now.ok() || *now != trusted_hash_) return false;
  }
  if (!setup_hash_.empty() && options_.check_trusted) {
    absl::StatusOr<std::string> now = HashTree(options_.setup_dir);
    if (!now.ok() || *now != setup_hash_) return false;
  }
  return true;
}

absl::StatusOr<Evaluation> Evaluator::Evaluate(const Program& program, const std::string& job_name,
                                               uint64_t seed, const std::atomic<bool>* cancel,
                                               const std::optional<std::vector<int>>& gpus) const {
  if (!IsSafeJobName(job_name)) {
    return absl::InvalidArgumentError(absl::StrCat("bad job name '", job_name, "'"));
  }
  if (!task_.setup.empty() && setup_hash_.empty()) {
    return absl::FailedPreconditionError("Evaluator::Prepare must run the task's setup first");
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
  std::set<std::string> judged = {kCodeLinesMetric};  // built-ins are the harness's own
  for (size_t i = 0; i < task_.stages.size(); ++i) {
    // Cancelled between stages: starting the next job only to kill it would
    // waste a build, so stop here.
    if (cancel != nullptr && cancel->load()) {
      evaluation.outcome = Outcome::kKilled;
      evaluation.note = absl::StrCat("cancelled before stage '", task_.stages[i].name, "'");
      return evaluation;
    }
    CAMBRIAN_ASSIGN_OR_RETURN(StageResult stage,
                              RunStage(i, seed + i, job_name, paths, cancel, gpus));
    if (stage.outcome != Outcome::kTampered) {
      const MergeRules rules{.judged = task_.stages[i].judged(), .task_judged = HasJudge(task_)};
      MergeReport(paths.out_root / stage.name, code_lines, rules, &stage, &evaluation, &judged);
    }
    CAMBRIAN_RETURN_IF_ERROR(CheckPassIf(task_.stages[i], evaluation.metrics, &stage));
    // A worker that died mid-way makes its judge report a failure: say it crashed.
    if (stage.judge && stage.outcome == Outcome::kWrongAnswer &&
        stage.job.outcome == Outcome::kRuntimeError) {
      stage.outcome = Outcome::kRuntimeError;
      stage.note = absl::StrCat("the worker failed (", stage.job.detail, "); ", stage.note);
    }
    evaluation.outcome = stage.outcome;
    if (stage.outcome != Outcome::kOk) {
      evaluation.note = absl::StrCat("stage '", stage.name,
                                     "': ", stage.note.empty() ? stage.job.detail : stage.note);
    }
    evaluation.stages.push_back(std::move(stage));
    if (evaluation.outcome != Outcome::kOk) return evaluation;
  }
  CAMBRIAN_RETURN_IF_ERROR(Score({job_name, seed, paths.out_root, cancel}, judged, &evaluation));
  return evaluation;
}

absl::StatusOr<StageResult> Evaluator::RunStage(size_t index, uint64_t seed,
                                                const std::string& job_name, const JobPaths& paths,
                                                const std::atomic<bool>* cancel,
                                                const std::optional<std::vector<int>>& gpus) const {
  const StageSpec& spec = task_.stages[index];
  const fs::path out_dir = paths.out_root / spec.name;
  // Fresh per stage, so a stage cannot pre-seed a later stage's report.
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(out_dir));
  CAMBRIAN_ASSIGN_OR_RETURN(bool intact_before, TrustedIntact());
  if (!intact_before) {
    return absl::FailedPreconditionError(
        absl::StrCat("the task's trusted files in ", task_.trusted_root.string(),
                     " (or its setup's output) changed since the run started (by an earlier job "
                     "or by hand); restore them"));
  }
  StageResult stage{.name = spec.name, .seed = seed};
  if (spec.judged()) {
    CAMBRIAN_RETURN_IF_ERROR(RunJudged(spec, seed, job_name, paths, cancel, gpus, &stage));
  } else {
    sandbox::JobSpec job_spec =
        CandidateJob(task_, Places(), spec, seed, job_name, paths, out_dir, cancel);
    job_spec.gpus = gpus;
    absl::StatusOr<sandbox::JobResult> job = sandbox_.Run(job_spec);
    if (!job.ok()) return Annotate(job.status(), absl::StrCat("stage '", spec.name, "'"));
    stage.outcome = job->outcome;
    stage.job = *std::move(job);
    MarkCutOutput(&stage.job);
  }
  CAMBRIAN_ASSIGN_OR_RETURN(bool intact_after, TrustedIntact());
  if (!intact_after) {
    // Never scored, whatever the job reported; warm judges that saw it go.
    if (spec.warm) WarmFor(spec).Reset();
    stage.outcome = Outcome::kTampered;
    stage.note = "trusted files changed: the job wrote outside its own directories";
    return stage;
  }
  // A non-zero exit while building means the candidate does not compile:
  // a stage named build or compile, or the first of several. A one-stage
  // task's only stage runs the candidate (a Python exception is a runtime
  // error, not a build error).
  const bool builds =
      spec.name == "build" || spec.name == "compile" || (index == 0 && task_.stages.size() > 1);
  if (!spec.judged() && stage.outcome == Outcome::kRuntimeError && builds) {
    stage.outcome = Outcome::kBuildError;
  }
  return stage;
}

absl::Status Evaluator::RunJudged(const StageSpec& spec, uint64_t seed, const std::string& job_name,
                                  const JobPaths& paths, const std::atomic<bool>* cancel,
                                  const std::optional<std::vector<int>>& gpus,
                                  StageResult* stage) const {
  absl::StatusOr<JudgedRun> run;
  if (spec.warm) {
    run = RunWarm(spec, seed, job_name, paths, cancel, gpus);
    return FinishJudged(std::move(run), spec, stage);
  }
  const fs::path out_dir = paths.out_root / spec.name;
  const fs::path scratch = paths.out_root / (spec.name + ".judge");
  CAMBRIAN_RETURN_IF_ERROR(FreshDir(scratch));
  sandbox::JobSpec judge =
      JudgeJob(task_, Places(), spec, seed, job_name, paths, out_dir, scratch, cancel);
  // The judge holds the job's GPUs too: a CUDA task's judge launches the
  // candidate's device code itself.
  judge.gpus = gpus;
  if (spec.run.empty()) {
    run = RunJudgeAlone(sandbox_, std::move(judge));
  } else {
    sandbox::JobSpec worker =
        CandidateJob(task_, Places(), spec, seed, job_name, paths, {}, cancel);
    worker.gpus = gpus;
    run = RunJudgedPair(sandbox_, std::move(worker), std::move(judge));
  }
  return FinishJudged(std::move(run), spec, stage);
}

absl::Status Evaluator::FinishJudged(absl::StatusOr<JudgedRun> run, const StageSpec& spec,
                                     StageResult* stage) const {
  if (!run.ok()) return Annotate(run.status(), absl::StrCat("stage '", spec.name, "'"));
  stage->outcome = JudgedOutcome(*run, &stage->note);
  MarkCutOutput(&run->worker);
  MarkCutOutput(&run->judge);
  stage->job = run->worker;
  // One place for people to read both sides: the worker's output, then the
  // judge's (trusted) output under a marker line.
  if (!run->judge.output_tail.empty()) {
    absl::StrAppend(
        &stage->job.output_tail,
        stage->job.output_tail.empty() || stage->job.output_tail.back() == '\n' ? "" : "\n",
        kJudgeOutputMarker, run->judge.output_tail);
  }
  stage->judge = std::move(run->judge);
  return absl::OkStatus();
}

WarmJudges& Evaluator::WarmFor(const StageSpec& spec) const {
  std::lock_guard lock(warm_mutex_);
  std::unique_ptr<WarmJudges>& judges = warm_[spec.name];
  if (!judges) {
    const fs::path root = options_.jobs_root.string() + ".warm";
    judges = std::make_unique<WarmJudges>(
        sandbox_,
        [this, &spec, root](int n) -> absl::StatusOr<sandbox::JobSpec> {
          const fs::path scratch = root / absl::StrCat(spec.name, "-", n);
          CAMBRIAN_RETURN_IF_ERROR(FreshDir(scratch));
          return WarmJudgeJob(task_, Places(), spec, options_.jobs_root, scratch);
        },
        spec.timeout);
  }
  return *judges;
}

absl::StatusOr<JudgedRun> Evaluator::RunWarm(const StageSpec& spec, uint64_t seed,
                                             const std::string& job_name, const JobPaths& paths,
                                             const std::atomic<bool>* cancel,
                                             const std::optional<std::vector<int>>& gpus) const {
  WarmRequest request{paths.job_dir.string(), job_name, seed, spec.name};
  if (!spec.run.empty()) {
    // A fresh, sandboxed worker per evaluation, as for a one-shot judge;
    // the warm judge gets its end of the socket with the request.
    sandbox::JobSpec worker =
        CandidateJob(task_, Places(), spec, seed, job_name, paths, {}, cancel);
    worker.gpus = gpus;
    return RunWorkerWith(sandbox_, std::move(worker),
                         [&](int fd, int cpu_fd,
                             const std::string& cpu_format) -> absl::StatusOr<sandbox::JobResult> {
                           request.worker_fd = fd;
                           request.cpu_fd = cpu_fd;
                           request.cpu_format = cpu_format;
                           return AskWarm(spec, request, paths, cancel);
                         });
  }
  CAMBRIAN_ASSIGN_OR_RETURN(sandbox::JobResult judge, AskWarm(spec, request, paths, cancel));
  return JudgeOnly(std::move(judge));
}

absl::StatusOr<sandbox::JobResult> Evaluator::AskWarm(const StageSpec& spec,
                                                      const WarmRequest& request,
                                                      const JobPaths& paths,
                                                      const std::atomic<bool>* cancel) const {
  CAMBRIAN_ASSIGN_OR_RETURN(WarmReply reply, WarmFor(spec).Judge(request, cancel));
  // The answer is the report a one-shot judge writes; the harness writes it
  // where the stage's report is read.
  if (!reply.report.empty()) {
    CAMBRIAN_RETURN_IF_ERROR(
        WriteFile(paths.out_root / spec.name / kMetricsFileName, reply.report));
  }
  return std::move(reply.judge);
}

}  // namespace cambrian::evaluator
