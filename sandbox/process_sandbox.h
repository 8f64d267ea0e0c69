// The plain local process runner: each job is a forked child in its own
// process group and, where the machine allows, its own cgroup, under caps,
// with its output drained through a pipe. No filesystem, network or uid
// isolation (that is the bubblewrap sandbox's job, which runs through this).
#ifndef CAMBRIAN_SANDBOX_PROCESS_SANDBOX_H_
#define CAMBRIAN_SANDBOX_PROCESS_SANDBOX_H_

#include <filesystem>
#include <optional>

#include "absl/status/statusor.h"
#include "sandbox/cgroup.h"
#include "sandbox/sandbox.h"

namespace cambrian::sandbox {

struct ProcessSandboxOptions {
  // Where each running job is recorded for ReapLeftoverJobs (job_registry.h);
  // empty: jobs are not recorded.
  std::filesystem::path state_dir;
  // Put each job in its own cgroup where DetectCgroups finds a usable
  // hierarchy; false: process groups and rlimits only.
  bool use_cgroups = true;
  // Where to make job cgroups instead of what DetectCgroups finds (tests;
  // a controller that manages its own hierarchy). Used if use_cgroups.
  std::optional<CgroupSupport> cgroups;
};

// Runs JobSpec::argv directly (no shell; pass {"/bin/sh", "-c", cmd} for one)
// with exactly JobSpec::env (see JobEnvironment), cwd work_dir, stdin
// /dev/null, stdout and stderr merged, and no file descriptor of the harness
// other than those. Limits (see ResourceLimits):
//   - wall_timeout: the whole process group is SIGKILLed -> kTimeout;
//   - cpu_time: RLIMIT_CPU per process -> kTimeout "CPU time limit";
//   - address_space_bytes: RLIMIT_AS per process; an allocation failure then
//     reads as kMemoryLimit (see ClassifyJob in job_outcome.h);
//   - file_size_bytes: RLIMIT_FSIZE -> kRuntimeError "file size limit";
//   - open_files: RLIMIT_NOFILE; core dumps are always off;
//   - output_bytes: the group is killed -> kOutputLimit.
// When the main process exits, whatever it left running in its process group
// and in its cgroup is killed too (with a cgroup that includes processes
// that called setsid or double-forked; without one they escape: see
// docs/sandbox.md); Run never waits for a pipe held open by such a leftover.
// The job's main process dies with the thread that called Run
// (PR_SET_PDEATHSIG). JobSpec::gpus sets CUDA_VISIBLE_DEVICES;
// read_only_paths and writable_paths only matter for disk_bytes here.
// A command not found is a job result: exit code 127, kRuntimeError.
//
// Errors: kInvalidArgument for an empty argv or a wall_timeout <= 0, kNotFound /
// kFailedPrecondition when work_dir is missing or not a directory, and the errno-derived code of a
// failing pipe/fork/wait4.
//
// Thread-safe and stateless: any number of Run calls may proceed at once. The
// embedding process must leave reaping to Run: no waitpid(-1) elsewhere and
// SIGCHLD not set to SIG_IGN (that auto-reaps children, and wait4 fails).
// Errors also: kUnavailable / errno codes when a job cgroup or the job's
// record under state_dir cannot be made.
class ProcessSandbox : public Sandbox {
 public:
  ProcessSandbox() : ProcessSandbox(ProcessSandboxOptions{}) {}
  // Probes cgroups once, here (DetectCgroups).
  explicit ProcessSandbox(ProcessSandboxOptions options);

  [[nodiscard]] absl::StatusOr<JobResult> Run(const JobSpec& spec) override;

  // What the constructor found; summary for `cambrian doctor`.
  const CgroupSupport& cgroups() const { return cgroups_; }

 private:
  ProcessSandboxOptions options_;
  CgroupSupport cgroups_;
};

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_PROCESS_SANDBOX_H_
