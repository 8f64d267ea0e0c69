#include "sandbox/child_process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace cambrian::sandbox {
namespace {

struct RlimitSetting {
  int resource;
  rlimit value;
};

// Everything the child needs, as plain pointers and ints built before fork():
// between fork and exec the child of a multi-threaded process may only make
// async-signal-safe calls (no malloc, no locks, no C++ library), because
// another thread may have held the allocator's lock at the moment of fork.
struct ChildSetup {
  const char* executable;  // nullptr: command not found
  char* const* argv;
  char* const* envp;
  const char* work_dir;
  const RlimitSetting* rlimits;
  size_t rlimit_count;
  int stdin_fd;         // /dev/null
  int output_fd;        // write end of the output pipe
  long max_fd;          // bound for closing fds by hand if close_range is missing
  const int* join_fds;  // cgroup.procs files to write "0" into, O_WRONLY
  size_t join_count;
  const cpu_set_t* affinity;  // nullptr: not pinned
  const int* inherit_fds;     // become 3, 4, ... in the job
  int* inherit_scratch;       // inherit_count ints the child may write (no malloc after fork)
  size_t inherit_count;
  pid_t parent_pid;  // the harness, for the parent-death check
  const std::string* not_found_message;
  const std::string* chdir_message;
  const std::string* rlimit_message;
  const std::string* exec_message;
  const std::string* join_message;
  const std::string* affinity_message;
};

// Async-signal-safe: write(2) only.
void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0 && errno != EINTR) return;
    if (n > 0) done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Fail(const std::string* message, int exit_code) {
  WriteAll(STDERR_FILENO, *message);
  _exit(exit_code);
}

// The harness may ignore SIGPIPE or block signals in its threads; ignored
// dispositions and the mask survive execve, so the job would inherit them.
void ResetSignals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);  // some fail: fine
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

// Moves /dev/null to stdin and the pipe to stdout and stderr. Both are first
// duplicated above 2: if the harness runs with stdio closed, open/pipe may
// have returned 0..2, and a plain dup2 sequence would clobber one with the
// other.
bool RedirectStdio(const ChildSetup& setup) {
  int in = fcntl(setup.stdin_fd, F_DUPFD_CLOEXEC, 3);
  int out = fcntl(setup.output_fd, F_DUPFD_CLOEXEC, 3);
  return in >= 0 && out >= 0 && dup2(in, STDIN_FILENO) >= 0 && dup2(out, STDOUT_FILENO) >= 0 &&
         dup2(out, STDERR_FILENO) >= 0;
}

// Puts the descriptors the job inherits at 3, 4, ...: each is first
// duplicated above that range, so a source that already sits on a target
// number is not clobbered before it is moved; dup2 clears close-on-exec.
bool PlaceInheritedFds(const ChildSetup& setup) {
  const int first_free = 3 + static_cast<int>(setup.inherit_count);
  for (size_t i = 0; i < setup.inherit_count; ++i) {
    setup.inherit_scratch[i] = fcntl(setup.inherit_fds[i], F_DUPFD_CLOEXEC, first_free);
    if (setup.inherit_scratch[i] < 0) return false;
  }
  for (size_t i = 0; i < setup.inherit_count; ++i) {
    if (dup2(setup.inherit_scratch[i], 3 + static_cast<int>(i)) < 0) return false;
  }
  return true;
}

// O_CLOEXEC covers our own fds, but not those other code in the harness
// opened without it (SQLite's database, a curl socket): close everything
// from `first` on (the inherited ones sit below it).
void CloseInheritedFds(int first, long max_fd) {
  if (close_range(static_cast<unsigned>(first), ~0U, 0) == 0) return;
  for (long fd = first; fd < max_fd; ++fd) close(static_cast<int>(fd));
}

// Runs in the child. The process-group, rlimit and fd set-up must happen
// here, between fork and exec: they apply to the calling process only, and
// posix_spawn (or Boost.Process) offers no hook for rlimits.
[[noreturn]] void RunChild(const ChildSetup& setup) {
  // Own process group, so Ctrl-C in the terminal does not reach the job and
  // its whole tree can be killed with one kill(-pgid).
  setpgid(0, 0);
  // Join the job's cgroups before anything can fork, so no descendant is
  // ever outside them.
  for (size_t i = 0; i < setup.join_count; ++i) {
    if (write(setup.join_fds[i], "0", 1) != 1) Fail(setup.join_message, kExitCannotExecute);
  }
  if (setup.affinity != nullptr && sched_setaffinity(0, sizeof(cpu_set_t), setup.affinity) != 0) {
    Fail(setup.affinity_message, kExitCannotExecute);
  }
  // Dies with the harness thread that started it (a SIGKILLed controller
  // leaves no job's main process behind); the parent may already be gone.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != setup.parent_pid) _exit(kExitCannotExecute);
  ResetSignals();
  if (!RedirectStdio(setup)) _exit(kExitNotFound);
  if (chdir(setup.work_dir) != 0) Fail(setup.chdir_message, kExitNotFound);
  for (size_t i = 0; i < setup.rlimit_count; ++i) {
    if (setrlimit(setup.rlimits[i].resource, &setup.rlimits[i].value) != 0) {
      Fail(setup.rlimit_message, kExitNotFound);
    }
  }
  if (!PlaceInheritedFds(setup)) _exit(kExitCannotExecute);
  CloseInheritedFds(3 + static_cast<int>(setup.inherit_count), setup.max_fd);
  if (setup.executable == nullptr) Fail(setup.not_found_message, kExitNotFound);
  execve(setup.executable, setup.argv, setup.envp);
  Fail(setup.exec_message, errno == ENOENT ? kExitNotFound : kExitCannotExecute);
}

// Limits above the harness's own hard limit cannot be raised by an
// unprivileged process; clamp them instead of failing the job.
void AddRlimit(int resource, rlim_t soft, rlim_t hard, std::vector<RlimitSetting>* out) {
  rlimit current{};
  if (getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY) {
    soft = std::min(soft, current.rlim_max);
    hard = std::min(hard, current.rlim_max);
  }
  out->push_back({resource, rlimit{soft, hard}});
}

std::vector<RlimitSetting> RlimitsFor(const ResourceLimits& limits) {
  std::vector<RlimitSetting> out;
  if (limits.cpu_time > absl::ZeroDuration()) {
    auto seconds = static_cast<rlim_t>(std::ceil(absl::ToDoubleSeconds(limits.cpu_time)));
    // SIGXCPU at the soft limit; SIGKILL one second later for jobs that catch it.
    AddRlimit(RLIMIT_CPU, seconds, seconds + 1, &out);
  }
  auto add_bytes = [&out](int resource, int64_t bytes) {
    if (bytes > 0)
      AddRlimit(resource, static_cast<rlim_t>(bytes), static_cast<rlim_t>(bytes), &out);
  };
  add_bytes(RLIMIT_AS, limits.address_space_bytes);
  add_bytes(RLIMIT_FSIZE, limits.file_size_bytes);
  add_bytes(RLIMIT_NOFILE, limits.open_files);
  AddRlimit(RLIMIT_CORE, 0, 0, &out);  // a crashing candidate must not litter cores
  return out;
}

std::vector<char*> NullTerminated(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  // execve's prototype takes char*const[] but does not modify the strings.
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

bool IsExecutableFile(const std::filesystem::path& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// Owns everything ChildSetup points into; built before fork, alive until
// the parent returns from fork.
class PreparedExec {
 public:
  PreparedExec(const JobSpec& spec, const std::string& executable,
               const std::optional<cpu_set_t>& affinity)
      : executable_(executable),
        affinity_(affinity),
        work_dir_(spec.work_dir.string()),
        rlimits_(RlimitsFor(spec.limits)),
        not_found_(absl::StrCat("cambrian: command not found: ", spec.argv[0], "\n")),
        chdir_failed_(absl::StrCat("cambrian: cannot enter ", work_dir_, "\n")),
        rlimit_failed_("cambrian: cannot set resource limits\n"),
        exec_failed_(absl::StrCat("cambrian: cannot execute ", executable, "\n")),
        join_failed_("cambrian: cannot join the job's cgroup\n"),
        affinity_failed_("cambrian: cannot pin the job to its CPUs\n"),
        max_fd_(sysconf(_SC_OPEN_MAX)),
        inherit_fds_(spec.inherit_fds),
        inherit_scratch_(spec.inherit_fds.size(), -1) {
    for (const auto& [name, value] : spec.env) env_.push_back(absl::StrCat(name, "=", value));
    argv_ = NullTerminated(spec.argv);
    envp_ = NullTerminated(env_);
  }
  PreparedExec(const PreparedExec&) = delete;
  PreparedExec& operator=(const PreparedExec&) = delete;

  ChildSetup Setup(int stdin_fd, int output_fd, const std::vector<int>& join_fds) const {
    return ChildSetup{executable_.empty() ? nullptr : executable_.c_str(),
                      argv_.data(),
                      envp_.data(),
                      work_dir_.c_str(),
                      rlimits_.data(),
                      rlimits_.size(),
                      stdin_fd,
                      output_fd,
                      max_fd_,
                      join_fds.data(),
                      join_fds.size(),
                      affinity_ ? &*affinity_ : nullptr,
                      inherit_fds_.data(),
                      inherit_scratch_.data(),
                      inherit_fds_.size(),
                      getpid(),
                      &not_found_,
                      &chdir_failed_,
                      &rlimit_failed_,
                      &exec_failed_,
                      &join_failed_,
                      &affinity_failed_};
  }

 private:
  std::string executable_;
  std::optional<cpu_set_t> affinity_;
  std::string work_dir_;
  std::vector<RlimitSetting> rlimits_;
  std::string not_found_, chdir_failed_, rlimit_failed_, exec_failed_, join_failed_,
      affinity_failed_;
  long max_fd_;
  std::vector<int> inherit_fds_;
  // Written by the child only (its copy of the memory): mutable so that
  // Setup can stay const.
  mutable std::vector<int> inherit_scratch_;
  std::vector<std::string> env_;
  std::vector<char*> argv_, envp_;
};

// The cgroup.procs files, opened before fork (open may allocate); closed
// when StartChild returns.
struct JoinFiles {
  std::vector<int> fds;
  ~JoinFiles() {
    for (int fd : fds) close(fd);
  }
  absl::Status Open(const std::vector<std::filesystem::path>& files) {
    fds.reserve(files.size());
    for (const std::filesystem::path& file : files) {
      int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("sandbox: open ", file.string()));
      fds.push_back(fd);
    }
    return absl::OkStatus();
  }
};

}  // namespace

std::string ResolveCommand(const std::string& command, const std::string& path_list,
                           const std::filesystem::path& work_dir) {
  if (command.empty()) return "";
  if (command.find('/') != std::string::npos) return command;
  for (absl::string_view entry : absl::StrSplit(path_list, ':')) {
    std::filesystem::path dir(std::string(entry.data(), entry.size()));
    if (dir.empty()) dir = ".";
    if (dir.is_relative()) dir = work_dir / dir;
    std::filesystem::path candidate = dir / command;
    if (IsExecutableFile(candidate)) return candidate.string();
  }
  return "";
}

absl::StatusOr<ChildProcess> StartChild(const JobSpec& spec, const std::string& executable,
                                        const std::vector<std::filesystem::path>& join_files,
                                        const std::optional<cpu_set_t>& affinity) {
  const PreparedExec exec(spec, executable, affinity);
  JoinFiles joins;
  CAMBRIAN_RETURN_IF_ERROR(joins.Open(join_files));
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return absl::ErrnoToStatus(errno, "sandbox: open /dev/null");
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    int saved = errno;
    close(devnull);
    return absl::ErrnoToStatus(saved, "sandbox: pipe2");
  }
  const ChildSetup setup = exec.Setup(devnull, pipe_fds[1], joins.fds);
  pid_t pid = fork();
  if (pid == 0) RunChild(setup);
  int fork_errno = errno;
  close(devnull);
  close(pipe_fds[1]);
  if (pid < 0) {
    close(pipe_fds[0]);
    return absl::ErrnoToStatus(fork_errno, "sandbox: fork");
  }
  // Set the group from this side too: whichever process runs first, the group
  // exists before the supervisor can signal it. EACCES after exec is harmless.
  setpgid(pid, pid);
  fcntl(pipe_fds[0], F_SETFL, fcntl(pipe_fds[0], F_GETFL) | O_NONBLOCK);
  return ChildProcess{pid, pipe_fds[0]};
}

}  // namespace cambrian::sandbox
