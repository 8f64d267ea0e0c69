// The seam through which every untrusted job runs. The sandbox knows nothing of
// tasks, LLMs, fitness or the archive: it runs one command under limits and
// reports what it measured.
#ifndef CAMBRIAN_SANDBOX_SANDBOX_H_
#define CAMBRIAN_SANDBOX_SANDBOX_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/outcome.h"

namespace cambrian::sandbox {

// What the starter of a job learns once the job's main process exists.
struct StartedJob {
  int pid = 0;  // the job's main process (also its process group); never signal it
  // The job's cgroup CPU accounting file, which counts every thread and
  // process of the tree, reaped or not, and how to read it:
  // "cpuacct.usage" (cgroup v1: one number, nanoseconds) or "cpu.stat"
  // (cgroup v2: the line "usage_usec N"). Empty without such a cgroup.
  std::filesystem::path cpu_usage_file;
  std::string cpu_usage_format;
};

// Zero means "no limit" for every field but wall_timeout.
struct ResourceLimits {
  absl::Duration wall_timeout = absl::Seconds(60);
  absl::Duration cpu_time = absl::ZeroDuration();  // RLIMIT_CPU (whole seconds, rounded up)
  int64_t address_space_bytes = 0;                 // RLIMIT_AS per process
  int64_t file_size_bytes = 0;                     // RLIMIT_FSIZE
  int64_t open_files = 256;                        // RLIMIT_NOFILE
  int64_t output_bytes = int64_t{8} << 20;         // stdout+stderr; over it: kOutputLimit
  int64_t output_tail_bytes = 16 << 10;            // how much of the end of the output to keep
  // Memory of the whole process tree: a cgroup limit where the sandbox has
  // cgroups (over it the kernel kills -> kMemoryLimit); without cgroups it
  // becomes RLIMIT_AS per process unless address_space_bytes is set.
  int64_t memory_bytes = 0;
  // Processes (and threads) alive at once in the job's tree: a cgroup pids
  // limit; over it fork() fails -> kProcessLimit. Ignored without cgroups.
  int64_t max_processes = 0;
  // Total bytes allocated on disk under work_dir and writable_paths, at any
  // depth, polled while the job runs and measured at its end; over it the
  // tree is killed -> kDiskLimit. What cannot be measured (a directory that
  // cannot be opened even after its owner's rwx is added) counts as over it.
  int64_t disk_bytes = 0;
  // Entries of every kind (files, directories, links) under the same
  // directories, measured alongside; over it -> kInodeLimit.
  int64_t max_inodes = 0;
  // CPU time per wall-clock second the whole tree may use: a cgroup CPU
  // quota where the sandbox has the cpu controller, else every process of
  // the job is pinned to ceil(cpus) of the machine's CPUs. Over it the job is
  // slowed down, not killed.
  double cpus = 0;
};

struct JobSpec {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH of `env`
  std::filesystem::path work_dir;          // must exist; the job's cwd
  std::map<std::string, std::string> env;  // the job's whole environment (nothing inherited)
  ResourceLimits limits;
  // If non-null and set to true while the job runs, the job's process tree is
  // killed and the result's outcome is kKilled. Must outlive Run().
  const std::atomic<bool>* cancel = nullptr;
  // Directories the job may write besides work_dir (e.g. its CAMBRIAN_OUT).
  // An isolating sandbox makes only work_dir and these writable, and hands
  // them to its unprivileged uid; they count toward limits.disk_bytes.
  std::vector<std::filesystem::path> writable_paths;
  // Directories or files the job may read (e.g. the task's trusted files).
  // An isolating sandbox shows them read-only at the same path and shows
  // nothing else of the host but the system directories.
  std::vector<std::filesystem::path> read_only_paths;
  // The GPUs (nvidia-smi indices) this job holds. Set: CUDA_VISIBLE_DEVICES
  // becomes exactly these ("" for none) and an isolating sandbox exposes only
  // their device nodes. Unset: the sandbox leaves CUDA_VISIBLE_DEVICES to
  // `env` and an isolating sandbox exposes no GPU.
  std::optional<std::vector<int>> gpus;
  // Descriptors the job inherits, as 3, 4, ... in this order (every other
  // descriptor of the harness stays closed). The caller keeps and closes its
  // own copies; they must stay open until on_start has been called.
  std::vector<int> inherit_fds;
  // Host paths an isolating sandbox masks: a directory is shown empty, a
  // file as an empty file (grader-only data). Absolute; missing ones are
  // skipped. ProcessSandbox cannot hide anything (docs/trust.md).
  std::vector<std::filesystem::path> hidden_paths;
  // Called once, on the thread that called Run, as soon as the job's main
  // process has been started and before Run waits for it. Not called when
  // the job could not be started (Run then returns an error).
  std::function<void(const StartedJob&)> on_start;
};

// What the sandbox measured. `outcome` is one of kOk (exit 0), kRuntimeError
// (non-zero exit or a signal of its own), kTimeout, kMemoryLimit, kOutputLimit,
// kProcessLimit, kDiskLimit, kInodeLimit, kKilled (cancelled). Stage-level outcomes (build_error,
// wrong_answer) are the evaluator's business.
struct JobResult {
  Outcome outcome = Outcome::kOk;
  int exit_code = -1;   // -1 if the job died of a signal
  int term_signal = 0;  // 0 if it exited
  double wall_seconds = 0;
  double cpu_seconds = 0;      // user + system of the job and its reaped children
  int64_t peak_rss_bytes = 0;  // largest resident set among the job's processes
  int64_t output_bytes = 0;    // total bytes the job printed (stdout + stderr)
  std::string output_tail;     // the last output_tail_bytes of that output
  std::string detail;          // a short human note, e.g. "killed after 60s wall time"
  // The job's main process id, which is also its process group id. Already
  // reaped when Run returns: for logs and tests, never to signal.
  int pid = 0;
};

class Sandbox {
 public:
  virtual ~Sandbox() = default;
  // Runs one job to completion and kills its whole process tree before
  // returning, whatever happened. A failing job is an OK StatusOr with an
  // outcome; a non-OK Status means the sandbox itself could not work (no such
  // work_dir, fork failed). Thread-safe: several jobs may run at once.
  [[nodiscard]] virtual absl::StatusOr<JobResult> Run(const JobSpec& spec) = 0;
};

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_SANDBOX_H_
