// The sandbox jobs a stage runs, as the evaluation protocol (evaluator.h,
// docs/tasks.md, kernels/PROTOCOL.md) defines them. Internal to the evaluator
// module.
#ifndef CAMBRIAN_EVALUATOR_JOB_SPECS_H_
#define CAMBRIAN_EVALUATOR_JOB_SPECS_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "common/task.h"
#include "sandbox/sandbox.h"

namespace cambrian::evaluator {

// Where one evaluation's files are.
struct JobPaths {
  std::filesystem::path job_dir;   // the candidate's files; the job's cwd and HOME
  std::filesystem::path out_root;  // one fresh output directory per stage below it
};

// Where the trusted side's files are, and the caps the task format does not
// name (EvaluatorOptions has the same fields and says what they mean).
struct TrustedPlaces {
  std::filesystem::path kernels_dir;
  std::filesystem::path setup_dir;
  int64_t max_processes = 1024;
  int64_t disk_bytes = 0;
};

// Removes `dir` with everything in it and creates it empty.
[[nodiscard]] absl::Status FreshDir(const std::filesystem::path& dir);

// The stage's own job: `/bin/sh -c RUN` in the job directory, with the
// protocol's variables, the task's caps, the task's hidden paths masked, the
// trusted and kernels directories readable and `out_dir` writable (none for
// a judged stage's worker, which gets no CAMBRIAN_OUT: only its judge
// reports).
sandbox::JobSpec CandidateJob(const Task& task, const TrustedPlaces& places, const StageSpec& stage,
                              uint64_t seed, const std::string& job_name, const JobPaths& paths,
                              const std::filesystem::path& out_dir,
                              const std::atomic<bool>* cancel);

// A judged stage's judge: `/bin/sh -c JUDGE` in `scratch_dir`, reporting into
// `out_dir`, reading the trusted, setup and kernels directories and the
// candidate's job directory; nothing hidden from it; no GPU.
sandbox::JobSpec JudgeJob(const Task& task, const TrustedPlaces& places, const StageSpec& stage,
                          uint64_t seed, const std::string& job_name, const JobPaths& paths,
                          const std::filesystem::path& out_dir,
                          const std::filesystem::path& scratch_dir,
                          const std::atomic<bool>* cancel);

// The task's trusted setup: `/bin/sh -c SETUP` in `setup_dir`, which it may
// write; it reads the trusted and kernels directories and nothing of any
// candidate.
sandbox::JobSpec SetupJob(const Task& task, const TrustedPlaces& places);

// A warm judge's process (warm_judge.h): `/bin/sh -c JUDGE` in
// `scratch_dir`, with $CAMBRIAN_WARM_FD = 3, reading the trusted, setup and
// kernels directories and every job directory under `jobs_root` (a request
// names the candidate's); no GPU. The stage's timeout bounds each answer,
// not the process.
sandbox::JobSpec WarmJudgeJob(const Task& task, const TrustedPlaces& places, const StageSpec& stage,
                              const std::filesystem::path& jobs_root,
                              const std::filesystem::path& scratch_dir);

// The task's [fitness] program: `/bin/sh -c PROGRAM` in `scratch_dir` (its
// HOME and TMPDIR, holding the input file `input`, $CAMBRIAN_METRICS),
// reporting into `out_dir`, reading the trusted, setup and kernels
// directories; no candidate file, no GPU.
sandbox::JobSpec FitnessProgramJob(const Task& task, const TrustedPlaces& places,
                                   const std::string& job_name, uint64_t seed,
                                   const std::filesystem::path& scratch_dir,
                                   const std::filesystem::path& input,
                                   const std::filesystem::path& out_dir,
                                   const std::atomic<bool>* cancel);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_JOB_SPECS_H_
