// Runs a candidate's stages in order through the sandbox, merges the metrics
// each stage reports, stops at the first failed stage or pass_if, and scores.
#ifndef CAMBRIAN_EVALUATOR_EVALUATOR_H_
#define CAMBRIAN_EVALUATOR_EVALUATOR_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/metrics.h"
#include "common/outcome.h"
#include "common/program.h"
#include "common/task.h"
#include "evaluator/evaluation.h"
#include "evaluator/executor.h"
#include "evaluator/fitness.h"
#include "evaluator/job_specs.h"
#include "evaluator/judged_stage.h"
#include "evaluator/warm_judge.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

struct EvaluatorOptions {
  std::filesystem::path jobs_root;  // job directories are created under it
  bool keep_job_dirs = false;       // otherwise a job directory is removed afterwards
  // Caps the task format does not name (yet): processes and threads alive at
  // once in a job's tree (a cgroup pids limit; PyTorch counts its threads),
  // and the total size of a job's directories.
  int64_t max_processes = 1024;
  // 0: eight times the task's file_size (8 GiB with the default 1 GiB).
  int64_t disk_bytes = 0;
  // Check the task's trusted files before and after every stage (off only
  // for tests that do not care).
  bool check_trusted = true;
  // The trusted evaluation library (kernels/): every job gets it read-only
  // as $CAMBRIAN_KERNELS. Empty: none.
  std::filesystem::path kernels_dir;
  // Where Prepare runs the task's [trusted] setup; judges read it as
  // $CAMBRIAN_SETUP_DIR. Needed only by tasks with a setup.
  std::filesystem::path setup_dir;
};

// The evaluation protocol (docs/tasks.md has the user-facing version):
//  - the program is written to jobs_root/JOB (a stale one is removed first);
//    each stage gets a fresh, empty jobs_root/JOB.out/STAGE/ as CAMBRIAN_OUT,
//    outside the job directory so the program's files cannot pre-seed it;
//  - a stage runs `/bin/sh -c RUN` in the job directory with only the
//    sandbox::JobEnvironment allow-list plus CAMBRIAN_OUT, CAMBRIAN_TRUSTED
//    (empty without [trusted]), CAMBRIAN_SEED (seed + stage index),
//    CAMBRIAN_STAGE, CAMBRIAN_CANDIDATE (the job name), CAMBRIAN_JOB_DIR,
//    HOME (the job directory) and TMPDIR (JOB/.cambrian-tmp), under the
//    task's memory (the whole tree's, JobSpec::limits.memory_bytes) /
//    file-size / output limits, the options' process and disk caps and the
//    stage's timeout; the job may write its directory and its CAMBRIAN_OUT
//    (JobSpec::writable_paths) and read the trusted directory
//    (JobSpec::read_only_paths), which is all an isolating sandbox shows;
//    the GPUs given to Evaluate become JobSpec::gpus;
//  - the trusted directory is hashed once at construction and after every
//    stage: a stage after which it differs is kTampered ("trusted files
//    changed"), never scored, and the cascade stops; if it already differs
//    when a stage is about to start (changed by another job or by hand),
//    Evaluate fails with kFailedPrecondition, since nothing scored from
//    then on could be trusted;
//  - $CAMBRIAN_OUT/metrics.json, if written, is merged into the metrics
//    (later stages override earlier ones); the built-in metric code_lines
//    (CountLines of the program) is always present and cannot be overridden;
//  - stage outcome: the sandbox's, except a kRuntimeError in the first stage
//    or a stage named "build" is kBuildError; a malformed metrics.json or a
//    pass_if that is false (or needs a metric nobody reported) on an otherwise
//    passing stage is kWrongAnswer; the cascade stops at the first failure;
//  - after the last stage, the task's [fitness] program (if any) runs in a
//    sandbox job of its own (fitness_program.h) and its metrics join the
//    candidate's (as a judge's would); its failure is the task's error, its
//    rejection (exit 3) the candidate's kWrongAnswer;
//  - then fitness = FitnessFunction::Score(metrics) and, for a
//    multi-objective task, each objective's expression; a missing metric or
//    a non-finite value makes the outcome kWrongAnswer, an objective outside
//    its bounds kImplausible;
//  - if `cancel` is set when a stage is about to start, the cascade stops
//    with kKilled (a running job is killed by the sandbox, also kKilled);
//  - both directories are removed afterwards unless keep_job_dirs;
//  - a judged stage (StageSpec::judge, kernels/PROTOCOL.md) runs its `run`
//    command as the candidate's worker, without CAMBRIAN_OUT, and its judge
//    in a sandbox of its own (judged_stage.h, job_specs.h); only the judge's
//    report (JOB.out/STAGE/metrics.json) is read. In a task with any judge,
//    no unjudged stage's metric overrides a judge's, and a fitness that reads
//    a metric no judge reported is kWrongAnswer;
//  - every job that runs candidate code has the task's hidden paths masked;
//  - a fitness outside the task's plausible range, or failing plausible_if,
//    is kImplausible and has no fitness (its metrics are kept).

class Evaluator : public Executor {
 public:
  // `task`, `sandbox` and `fitness` must outlive the Evaluator.
  Evaluator(const Task& task, sandbox::Sandbox& sandbox, const FitnessFunction& fitness,
            EvaluatorOptions options);

  // Evaluates `program` in a fresh job directory named after `job_name`
  // (e.g. "c17"). Each stage gets CAMBRIAN_SEED = seed + stage index. A
  // failing candidate is an OK result with a non-kOk outcome. Thread-safe as
  // long as job names differ. `cancel` as in sandbox::JobSpec. `gpus`: the
  // GPU indices this evaluation holds (from a sandbox::GpuAllocator lease),
  // passed to every stage as JobSpec::gpus; nullopt leaves GPUs alone.
  // Errors (the harness broke, not the candidate): InvalidArgument for a job
  // name that is empty or holds '/'; Internal if a directory cannot be
  // created; the sandbox's own errors, annotated with the stage name; a
  // pass_if that does not compile (only possible for a Task not loaded by
  // LoadTask); a fitness error other than NotFound / InvalidArgument.
  // Runs the task's [trusted] setup (if any) into options.setup_dir and
  // records its hash, checked after every stage like the trusted files.
  // Call once before Evaluate. FailedPrecondition: the setup failed (its
  // output is in the message) or the task has a setup and no setup_dir.
  [[nodiscard]] absl::Status Prepare();

  [[nodiscard]] absl::StatusOr<Evaluation> Evaluate(
      const Program& program, const std::string& job_name, uint64_t seed,
      const std::atomic<bool>* cancel,
      const std::optional<std::vector<int>>& gpus = std::nullopt) const override;

 private:
  // Runs stage `index` in paths.job_dir with a fresh out dir under
  // paths.out_root.
  absl::StatusOr<StageResult> RunStage(size_t index, uint64_t seed, const std::string& job_name,
                                       const JobPaths& paths, const std::atomic<bool>* cancel,
                                       const std::optional<std::vector<int>>& gpus) const;
  // The worker and judge of a judged stage; fills stage->outcome, note, job
  // and judge.
  absl::Status RunJudged(const StageSpec& spec, uint64_t seed, const std::string& job_name,
                         const JobPaths& paths, const std::atomic<bool>* cancel,
                         const std::optional<std::vector<int>>& gpus, StageResult* stage) const;
  TrustedPlaces Places() const;
  // Fills `stage` from a judged stage's run (outcome, note, both sides'
  // output).
  absl::Status FinishJudged(absl::StatusOr<JudgedRun> run, const StageSpec& spec,
                            StageResult* stage) const;
  // The warm judges of a warm stage, started on first use.
  WarmJudges& WarmFor(const StageSpec& spec) const;
  // A warm stage: its warm judge answers `job_name`'s request, with a fresh
  // worker when the stage has one (`run`), holding the evaluation's GPUs (a
  // warm judge holds none).
  absl::StatusOr<JudgedRun> RunWarm(const StageSpec& spec, uint64_t seed,
                                    const std::string& job_name, const JobPaths& paths,
                                    const std::atomic<bool>* cancel,
                                    const std::optional<std::vector<int>>& gpus) const;
  // Asks the warm judge and writes its answer as the stage's report.
  absl::StatusOr<sandbox::JobResult> AskWarm(const StageSpec& spec, const WarmRequest& request,
                                             const JobPaths& paths,
                                             const std::atomic<bool>* cancel) const;
  // Whether the trusted files and the setup's output still hash as recorded.
  absl::StatusOr<bool> TrustedIntact() const;
  // Where the evaluation runs, for the fitness program.
  struct ScoreContext {
    const std::string& job_name;
    uint64_t seed;
    const std::filesystem::path& out_root;
    const std::atomic<bool>* cancel;
  };
  // scoring.cc: runs the task's fitness program (if any), then sets
  // evaluation->fitness and objectives, or its outcome and note when scoring
  // fails or the score is implausible. `judged`: the metrics judges
  // reported.
  absl::Status Score(const ScoreContext& context, std::set<std::string> judged,
                     Evaluation* evaluation) const;
  // Runs the task's fitness program (if any) and adds its metrics; false
  // (with the outcome and note set) if it rejected the candidate or was
  // cancelled. Its failure is the task's error.
  absl::StatusOr<bool> ScoreProgram(const ScoreContext& context, std::set<std::string>* judged,
                                    Evaluation* evaluation) const;
  // The objectives of a multi-objective task; false (with the outcome and
  // note set) if one cannot be computed or is out of its bounds.
  absl::StatusOr<bool> ScoreObjectives(Evaluation* evaluation) const;

  const Task& task_;
  sandbox::Sandbox& sandbox_;
  const FitnessFunction& fitness_;
  EvaluatorOptions options_;
  std::string trusted_hash_;  // empty: no trusted directory to check
  mutable std::mutex warm_mutex_;
  mutable std::map<std::string, std::unique_ptr<WarmJudges>> warm_;  // by stage name
  std::string setup_hash_;  // empty: no setup (or not prepared yet)
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_EVALUATOR_H_
