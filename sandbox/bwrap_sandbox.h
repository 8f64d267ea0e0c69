// Jobs under bubblewrap (Debian `bubblewrap`): a fresh mount, PID, IPC, UTS
// and network namespace per job, run through ProcessSandbox, so every cap of
// the process sandbox (cgroup, rlimits, output, disk, wall time) applies too.
#ifndef CAMBRIAN_SANDBOX_BWRAP_SANDBOX_H_
#define CAMBRIAN_SANDBOX_BWRAP_SANDBOX_H_

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sandbox/process_sandbox.h"
#include "sandbox/sandbox.h"

namespace cambrian::sandbox {

struct BwrapOptions {
  std::filesystem::path bwrap = "/usr/bin/bwrap";
  // Used only when the harness runs as root, to become sandbox_uid inside.
  std::filesystem::path setpriv = "/usr/bin/setpriv";
  // The real, unprivileged uid and gid jobs run as when the harness is root
  // (default nobody/nogroup). Otherwise jobs keep the harness's own uid
  // inside an unprivileged user namespace.
  uid_t sandbox_uid = 65534;
  gid_t sandbox_gid = 65534;
  // Size of each of the job's private /tmp and /dev/shm (tmpfs: their pages
  // count as the job's memory), at most the job's disk cap.
  int64_t tmp_bytes = int64_t{256} << 20;
  // Host directories shown read-only besides the system ones (e.g. /opt
  // holding a toolchain or a Python environment).
  std::vector<std::filesystem::path> extra_system_paths;
  ProcessSandboxOptions process;  // state_dir and cgroups
};

// What a job sees (see docs/sandbox.md):
//  - read-only: /usr and the /bin, /sbin, /lib* links or directories, the
//    parts of /etc that compilers and interpreters read (ld.so cache,
//    alternatives, passwd/group, nsswitch, localtime, ssl certs, python),
//    extra_system_paths, and JobSpec::read_only_paths at their host paths;
//  - writable: work_dir and JobSpec::writable_paths at their host paths;
//  - a private /tmp and /dev/shm (each a tmpfs of tmp_bytes, at most
//    ResourceLimits::disk_bytes, mode 1777), /proc of its own PID namespace, a
//    minimal /dev, and with JobSpec::gpus only those GPUs' /dev/nvidiaN plus
//    nvidiactl / nvidia-uvm / nvidia-modeset and a read-only /sys;
//  - nothing else: no home directories, run directory, database or other
//    jobs' directories; no network (its own empty network namespace, so not
//    even the host's loopback); exactly JobSpec::env as environment
//    (--clearenv); --new-session (no terminal); --die-with-parent; no new
//    user namespace (a seccomp filter, seccomp_filter.h), so no mounts;
//  - as root: the job runs as sandbox_uid:sandbox_gid with no capabilities,
//    an empty bounding set and no_new_privs (setpriv inside the namespaces),
//    and work_dir and writable_paths are chowned to it before each run
//    (symlinks not followed); otherwise: the harness's uid in a user
//    namespace, all capabilities dropped.
// Errors: those of ProcessSandbox::Run and NoUserNamespacesFilterFd (on an
// architecture other than x86_64 and aarch64: kUnimplemented, so no job
// runs without the filter); a bwrap that cannot set up the
// namespaces is a job result (kRuntimeError with bwrap's message in the
// output), which MakeSandbox's probe turns into "mode unavailable".
// Thread-safe.
class BwrapSandbox : public Sandbox {
 public:
  explicit BwrapSandbox(BwrapOptions options);

  [[nodiscard]] absl::StatusOr<JobResult> Run(const JobSpec& spec) override;

  const ProcessSandbox& process() const { return process_; }

 private:
  BwrapOptions options_;
  ProcessSandbox process_;
};

// The bwrap command line for `spec` (exposed for tests). `as_root` picks the
// uid-dropping form; `seccomp_fd` (>= 0), the descriptor bwrap reads the
// job's seccomp filter from (NoUserNamespacesFilterFd).
std::vector<std::string> BwrapCommand(const JobSpec& spec, const BwrapOptions& options,
                                      bool as_root, int seccomp_fd = -1);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_BWRAP_SANDBOX_H_
