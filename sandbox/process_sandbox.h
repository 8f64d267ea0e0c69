// The plain local process runner: each job is a forked child in its own
// process group, under rlimits, with its output drained through a pipe. No
// filesystem or network isolation (that is the bubblewrap sandbox's job).
#ifndef CAMBRIAN_SANDBOX_PROCESS_SANDBOX_H_
#define CAMBRIAN_SANDBOX_PROCESS_SANDBOX_H_

#include "absl/status/statusor.h"
#include "sandbox/sandbox.h"

namespace cambrian::sandbox {

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
// is killed too; Run never waits for a pipe held open by such a leftover.
// A command not found is a job result: exit code 127, kRuntimeError.
//
// Errors: kInvalidArgument for an empty argv or a wall_timeout <= 0, kNotFound /
// kFailedPrecondition when work_dir is missing or not a directory, and the errno-derived code of a
// failing pipe/fork/wait4.
//
// Thread-safe and stateless: any number of Run calls may proceed at once. The
// embedding process must leave reaping to Run: no waitpid(-1) elsewhere and
// SIGCHLD not set to SIG_IGN (that auto-reaps children, and wait4 fails).
class ProcessSandbox : public Sandbox {
 public:
  [[nodiscard]] absl::StatusOr<JobResult> Run(const JobSpec& spec) override;
};

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_PROCESS_SANDBOX_H_
