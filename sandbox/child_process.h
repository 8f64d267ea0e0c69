// Starting one job process: the fork/exec half of ProcessSandbox, kept apart
// from the supervision loop. Internal to the sandbox module.
#ifndef CAMBRIAN_SANDBOX_CHILD_PROCESS_H_
#define CAMBRIAN_SANDBOX_CHILD_PROCESS_H_

#include <sched.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/sandbox.h"

namespace cambrian::sandbox {

// The child's exit status when its command cannot be found or set up
// (missing command, failed chdir or setrlimit), and when exec fails for
// another reason (permission, bad format): the shell's conventions.
inline constexpr int kExitNotFound = 127;
inline constexpr int kExitCannotExecute = 126;

// Looks `command` up the way execvp does: a command containing '/' is
// returned as is (relative to the job's work_dir, its cwd); otherwise each
// entry of the colon-separated `path_list` is tried in order (an empty entry
// means the work_dir; relative entries are taken relative to it) and the
// first executable regular file wins. Returns "" when nothing matches.
std::string ResolveCommand(const std::string& command, const std::string& path_list,
                           const std::filesystem::path& work_dir);

// A started job. The caller owns both: it must close `output_fd` and reap
// `pid` (which is also the job's process group id).
struct ChildProcess {
  pid_t pid = -1;
  int output_fd = -1;  // read end of the job's stdout+stderr pipe, O_NONBLOCK
};

// Forks and execs `executable` (from ResolveCommand; "" makes the child exit
// kExitNotFound) with spec.argv, spec.env, spec.work_dir and spec.limits'
// rlimits, in a new process group, stdin from /dev/null, stdout and stderr
// into one pipe, and no other inherited file descriptor. Before it can fork
// or exec, the child joins the cgroups whose cgroup.procs files are
// `join_files` (failing that it exits kExitCannotExecute) and arranges to be
// SIGKILLed when the calling thread dies (PR_SET_PDEATHSIG); with
// `affinity`, it pins itself to those CPUs (failing that it exits
// kExitCannotExecute). Errors: pipe,
// open or fork failing (kInternal / kResourceExhausted). Thread-safe: it only
// allocates before fork, so the child of a multi-threaded parent cannot
// deadlock on a lock held by another thread.
[[nodiscard]] absl::StatusOr<ChildProcess> StartChild(
    const JobSpec& spec, const std::string& executable,
    const std::vector<std::filesystem::path>& join_files = {},
    const std::optional<cpu_set_t>& affinity = std::nullopt);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_CHILD_PROCESS_H_
