// The Slurm executor, per-evaluation mode: each evaluation is one Slurm job
// that runs `cambrian eval` on a node, the same stages, sandbox and judge as
// on the controller's machine, and writes its result as JSON
// (evaluation_json.h) into the run directory, which the nodes must share.
//
// For job J of a run, RUN/slurm/J/ holds:
//   program/     the candidate's files (the whole program)
//   request      "SEED PROGRAM_HASH": what was submitted
//   job.sh       the batch script; job_id: the Slurm job id once submitted
//   slurm.out    the job's own output; result.json: the evaluation
// and the job is named "cambrian-TAG-J" (TAG from the run directory), so a
// resumed controller finds its jobs even if it died before writing job_id.
//
// One poller thread asks squeue about every job in flight at once, every
// 0.5 s while states change, backing off to `poll_max` while none does.
// Slurm's end states map to Cambrian's:
//   COMPLETED, FAILED     the result file (a job without one is an error)
//   TIMEOUT               kTimeout          (the job's Slurm time limit)
//   OUT_OF_MEMORY         kMemoryLimit
//   CANCELLED             kKilled           (by Cambrian when it stops, or by a person)
//   NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, or a job Slurm forgot without
//                         a result: not the candidate's doing; submitted
//                         again, up to `max_resubmits` times, then an error
//   PENDING past `pending_limit`: cancelled; an error naming Slurm's reason
// Cancelling an evaluation (the run stops) scancels its job.
#ifndef CAMBRIAN_EVALUATOR_SLURM_EXECUTOR_H_
#define CAMBRIAN_EVALUATOR_SLURM_EXECUTOR_H_

#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "common/task.h"
#include "evaluator/executor.h"
#include "evaluator/slurm_client.h"

namespace cambrian::evaluator {

struct SlurmOptions {
  std::string partition, account, qos, gres, constraint;  // "": Slurm's default
  // The job's time limit; zero: the task's stage timeouts and setup, plus
  // five minutes, rounded up to whole minutes.
  absl::Duration time_limit = absl::ZeroDuration();
  std::vector<std::string> extra_args;  // more sbatch arguments, e.g. "--exclusive"
  absl::Duration pending_limit = absl::Hours(2);
  int max_resubmits = 3;
  absl::Duration poll_min = absl::Milliseconds(500);
  absl::Duration poll_max = absl::Seconds(10);
  // How long a job that ended COMPLETED or FAILED may take to show its
  // result file (a shared file system's attribute cache).
  absl::Duration result_wait = absl::Seconds(30);
};

// What each job runs: `cambrian eval TASK --profile P --exact-program DIR
// --seed S --sandbox MODE --result FILE`, with paths the nodes see.
struct SlurmJobPlan {
  std::filesystem::path cambrian;   // the binary
  std::filesystem::path task_dir;   // task.toml's directory
  std::string profile;              // "" for none
  std::string sandbox = "auto";     // the nodes' sandbox mode
  std::filesystem::path jobs_root;  // RUN/slurm
  bool keep_job_dirs = false;
  ResourceSpec resources;                           // cpus, memory, gpus per job
  absl::Duration work_time = absl::ZeroDuration();  // the stages' timeouts and setup
};

// "cambrian-TAG-JOB": the Slurm job name of `job` in the run whose job
// directories are under `jobs_root` (TAG: 8 hex digits of its path's hash).
std::string SlurmJobName(const std::filesystem::path& jobs_root, const std::string& job);

// sbatch's resource arguments for a job of `resources`: --export (only
// PATH, LD_LIBRARY_PATH, LANG, LC_ALL, HOME), --ntasks, --cpus-per-task, --mem, --gres and
// the options' partition, account, qos, constraint and extra arguments.
std::vector<std::string> ResourceArgs(const SlurmOptions& options, const ResourceSpec& resources);
// The batch script of a job that runs `cambrian SUBCOMMAND TASK HEAD
// --sandbox S TAIL [--profile P]` as `plan` says; `what` names it in a
// comment.
std::string BatchScript(const SlurmJobPlan& plan, const std::string& what,
                        const std::string& subcommand, const std::string& head,
                        const std::string& tail);
// `limit` as sbatch --time minutes, rounded up (at least 1).
std::string SlurmMinutes(absl::Duration limit);

class SlurmExecutor : public Executor {
 public:
  // `client` must outlive the executor.
  SlurmExecutor(SlurmClient& client, SlurmOptions options, SlurmJobPlan plan);
  ~SlurmExecutor() override;
  SlurmExecutor(const SlurmExecutor&) = delete;
  SlurmExecutor& operator=(const SlurmExecutor&) = delete;

  absl::StatusOr<Evaluation> Evaluate(
      const Program& program, const std::string& job_name, uint64_t seed,
      const std::atomic<bool>* cancel,
      const std::optional<std::vector<int>>& gpus = std::nullopt) const override;

  // Adopts this run's jobs still known to Slurm whose job is wanted with the
  // same request; cancels the others (best effort, logged).
  void Resuming(const std::set<std::string>& wanted_jobs) const override;
  bool Remote() const override { return true; }

  // The sbatch arguments of job `job_name` (exposed for tests).
  std::vector<std::string> SbatchArgs(const std::string& job_name) const;
  // The Slurm job name of `job_name`: "cambrian-TAG-JOB".
  std::string SlurmName(const std::string& job_name) const;

 private:
  struct Watch;
  struct Attempt;
  absl::StatusOr<std::string> Submit(const std::string& job_name) const;
  absl::StatusOr<Attempt> Follow(const std::string& job_name, const std::string& id,
                                 const std::atomic<bool>* cancel) const;
  absl::StatusOr<Evaluation> Conclude(const std::string& job_name, const Attempt& attempt) const;
  std::string Script(const std::string& job_name, uint64_t seed) const;
  absl::StatusOr<std::string> ReadResult(const std::filesystem::path& dir) const;
  void PollLoop();
  // Takes squeue's answer for `ids`; whether any state changed. Under mutex_.
  bool Absorb(const std::vector<std::string>& ids,
              const std::map<std::string, SlurmJobState>& states) const;

  SlurmClient& client_;
  const SlurmOptions options_;
  const SlurmJobPlan plan_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;             // a state changed, or a job was added
  mutable std::map<std::string, Watch> watches_;        // by Slurm id
  mutable std::map<std::string, std::string> adopted_;  // job name -> Slurm id
  bool stopping_ = false;
  std::thread poller_;
};

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_SLURM_EXECUTOR_H_
