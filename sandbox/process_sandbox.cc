#include "sandbox/process_sandbox.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sandbox/child_process.h"
#include "sandbox/cpu_affinity.h"
#include "sandbox/disk_usage.h"
#include "sandbox/environment.h"
#include "sandbox/job_outcome.h"
#include "sandbox/job_registry.h"
#include "sandbox/output_tail.h"

namespace cambrian::sandbox {
namespace {

using SteadyClock = std::chrono::steady_clock;

// The supervisor wakes at least this often, to notice spec.cancel.
constexpr std::chrono::milliseconds kTick(50);
constexpr size_t kReadChunk = 64 << 10;
// Reads per wake-up, so a flooding job cannot starve the deadline checks.
constexpr int kReadsPerWake = 16;
// Reads after the group is killed: enough for any pipe buffer (1 MiB at
// most by default) while a writer outside the group cannot keep us here.
constexpr int kFinalReads = 64;
// How often the disk cap walks the job's directories.
constexpr std::chrono::milliseconds kDiskPollInterval(200);

// Numbers jobs: their cgroups' names, and which CPUs a pinned job gets.
std::atomic<uint64_t> g_next_job{0};

absl::Status ValidateSpec(const JobSpec& spec) {
  if (spec.argv.empty()) return absl::InvalidArgumentError("sandbox: empty argv");
  if (spec.limits.wall_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("sandbox: wall_timeout must be positive");
  }
  std::error_code error;
  auto status = std::filesystem::status(spec.work_dir, error);
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(
        absl::StrCat("sandbox: work_dir does not exist: ", spec.work_dir.string()));
  }
  if (!std::filesystem::is_directory(status)) {
    return absl::FailedPreconditionError(
        absl::StrCat("sandbox: work_dir is not a directory: ", spec.work_dir.string()));
  }
  return absl::OkStatus();
}

// The directories the disk caps count.
std::vector<std::filesystem::path> JobRoots(const JobSpec& spec) {
  std::vector<std::filesystem::path> roots = spec.writable_paths;
  roots.push_back(spec.work_dir);
  return roots;
}

// One running job, as the supervisor sees it. Owns the pipe and the pidfd.
struct Watch {
  Watch(const JobSpec& spec, const ChildProcess& child)
      : spec(spec), child(child), output(spec.limits.output_tail_bytes), buffer(kReadChunk) {
    // Wakes poll() the moment the main process exits. Optional: without it
    // (kernels before 5.3) exit is noticed on the next tick.
    // Called through syscall(): glibc 2.36's <sys/pidfd.h> lacks extern "C".
    pidfd = static_cast<int>(syscall(SYS_pidfd_open, child.pid, 0));
  }
  ~Watch() {
    close(child.output_fd);
    if (pidfd >= 0) close(pidfd);
  }
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  bool OverOutputCap() const {
    return spec.limits.output_bytes > 0 && output.total_bytes() > spec.limits.output_bytes;
  }

  bool HasDiskCaps() const { return spec.limits.disk_bytes > 0 || spec.limits.max_inodes > 0; }

  // The disk and inode caps: kDiskLimit (also when the directories cannot
  // be measured: `unmeasured` says why), kInodeLimit or kNone.
  KillReason CheckDiskCaps() {
    const ResourceLimits& limits = spec.limits;
    const std::vector<std::filesystem::path> roots = JobRoots(spec);
    const auto started = SteadyClock::now();
    const DiskUsage usage = MeasureDiskUsage(roots, {limits.disk_bytes, limits.max_inodes});
    // A walk costs time in proportion to what the job made: spend at most a
    // fifth of the supervisor's time on it.
    const auto now = SteadyClock::now();
    next_disk_poll = now + std::max<SteadyClock::duration>(kDiskPollInterval, 4 * (now - started));
    if (!usage.unmeasured.empty()) {
      unmeasured = usage.unmeasured;
      return KillReason::kDiskLimit;
    }
    if (limits.disk_bytes > 0 && usage.bytes > limits.disk_bytes) return KillReason::kDiskLimit;
    if (limits.max_inodes > 0 && usage.inodes > limits.max_inodes) return KillReason::kInodeLimit;
    return KillReason::kNone;
  }

  // CheckDiskCaps at most every kDiskPollInterval (longer for large trees).
  KillReason PollDiskCaps() {
    if (!HasDiskCaps() || SteadyClock::now() < next_disk_poll) return KillReason::kNone;
    return CheckDiskCaps();
  }

  // Reads what the pipe holds without blocking; pipe_open becomes false at
  // EOF (every writer gone) or on a read error.
  void ReadAvailable(int max_reads) {
    for (int i = 0; i < max_reads && pipe_open && !OverOutputCap(); ++i) {
      ssize_t n = read(child.output_fd, buffer.data(), buffer.size());
      if (n > 0) {
        output.Append(std::string_view(buffer.data(), static_cast<size_t>(n)));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else {
        pipe_open = false;
      }
    }
  }

  const JobSpec& spec;
  ChildProcess child;
  int pidfd = -1;
  bool pipe_open = true;
  SteadyClock::time_point next_disk_poll = SteadyClock::now();
  std::string unmeasured;
  OutputTail output;
  std::vector<char> buffer;
};

// True once the main process has exited. WNOWAIT leaves it a zombie, so its
// pid, which is also the group id, cannot be reused before we kill the group.
bool MainProcessExited(pid_t pid) {
  siginfo_t info{};
  return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == pid;
}

// Drains output until the main process exits or a limit fires; returns why
// the job must be killed (kNone: it ended by itself).
KillReason Supervise(Watch& watch, SteadyClock::time_point deadline) {
  for (;;) {
    if (MainProcessExited(watch.child.pid)) return KillReason::kNone;
    if (watch.spec.cancel != nullptr && watch.spec.cancel->load()) return KillReason::kCancelled;
    const auto now = SteadyClock::now();
    if (now >= deadline) return KillReason::kWallTimeout;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
    wait = std::clamp(wait, std::chrono::milliseconds(1), kTick);
    pollfd fds[2];
    nfds_t count = 0;
    if (watch.pipe_open) fds[count++] = pollfd{watch.child.output_fd, POLLIN, 0};
    if (watch.pidfd >= 0) fds[count++] = pollfd{watch.pidfd, POLLIN, 0};
    poll(fds, count, static_cast<int>(wait.count()));  // EINTR: just go round again
    watch.ReadAvailable(kReadsPerWake);
    if (watch.OverOutputCap()) return KillReason::kOutputLimit;
    if (KillReason disk = watch.PollDiskCaps(); disk != KillReason::kNone) return disk;
  }
}

// Reaps the main process (blocking: it has been SIGKILLed or has exited) and
// records its exit status and resource usage, which include its reaped
// descendants'.
absl::Status Reap(pid_t pid, JobResult* result) {
  int status = 0;
  rusage usage{};
  pid_t reaped;
  do {
    reaped = wait4(pid, &status, 0, &usage);
  } while (reaped < 0 && errno == EINTR);
  if (reaped < 0) {
    return absl::ErrnoToStatus(errno, "sandbox: wait4 on the job (is SIGCHLD ignored?)");
  }
  result->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  auto seconds = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  result->cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  result->peak_rss_bytes = int64_t{usage.ru_maxrss} * 1024;  // Linux reports KiB
  return absl::OkStatus();
}

// absl::InfiniteDuration() (or anything absurdly long) must not overflow the
// steady clock's time_point.
SteadyClock::time_point DeadlineAfter(SteadyClock::time_point start, absl::Duration timeout) {
  if (timeout > absl::Hours(24 * 365)) return SteadyClock::time_point::max();
  return start + std::chrono::nanoseconds(absl::ToInt64Nanoseconds(timeout));
}

std::string PathOf(const std::map<std::string, std::string>& env) {
  auto it = env.find("PATH");
  return it != env.end() && !it->second.empty() ? it->second : kDefaultPath;
}

// The spec as run: GPUs in the environment, and the memory cap as an
// address-space limit when no memory cgroup can enforce it for the tree;
// not for a job holding a GPU, since the CUDA driver reserves far more
// address space than it uses and would fail to start under such a limit.
JobSpec EffectiveSpec(const JobSpec& spec, bool memory_cgroup) {
  JobSpec out = spec;
  if (spec.gpus) SetGpuEnvironment(*spec.gpus, &out.env);
  const bool holds_gpu = spec.gpus && !spec.gpus->empty();
  if (!memory_cgroup && !holds_gpu && out.limits.memory_bytes > 0 &&
      out.limits.address_space_bytes == 0) {
    out.limits.address_space_bytes = out.limits.memory_bytes;
  }
  return out;
}

// Supervises the job until it ends or a limit fires, then kills its whole
// tree and collects its output.
void SuperviseAndKill(const JobSpec& spec, const ChildProcess& child, SteadyClock::time_point start,
                      JobCgroup* cgroup, ExitFacts* facts, JobResult* result) {
  Watch watch(spec, child);
  facts->kill_reason = Supervise(watch, DeadlineAfter(start, spec.limits.wall_timeout));
  result->wall_seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  // Whatever happened, nothing of the job outlives Run: this also kills
  // background children the main process left behind. The main process is
  // not reaped yet, so the group id still names this job's group. The
  // cgroup also holds those that left the group (setsid, double fork).
  kill(-child.pid, SIGKILL);
  if (cgroup != nullptr) cgroup->KillAll();
  // Take what is already in the pipe, but do not wait for EOF: a process
  // that escaped the group may hold the write end open indefinitely.
  watch.ReadAvailable(kFinalReads);
  if (facts->kill_reason == KillReason::kNone && watch.OverOutputCap()) {
    facts->kill_reason = KillReason::kOutputLimit;
  }
  if (facts->kill_reason == KillReason::kNone && watch.HasDiskCaps()) {
    facts->kill_reason = watch.CheckDiskCaps();
  }
  facts->unmeasured = watch.unmeasured;
  // Root removes anything; any other controller needs every directory the
  // job left to be its owner's rwx (a job may chmod 000 its own).
  if (geteuid() != 0) MakeDirectoriesRemovable(JobRoots(spec));
  result->output_bytes = watch.output.total_bytes();
  result->output_tail = watch.output.Tail();
}

}  // namespace

ProcessSandbox::ProcessSandbox(ProcessSandboxOptions options) : options_(std::move(options)) {
  if (options_.use_cgroups) cgroups_ = options_.cgroups ? *options_.cgroups : DetectCgroups();
}

absl::StatusOr<JobResult> ProcessSandbox::Run(const JobSpec& original) {
  CAMBRIAN_RETURN_IF_ERROR(ValidateSpec(original));
  const JobSpec spec = EffectiveSpec(original, cgroups_.memory());
  const std::string executable = ResolveCommand(spec.argv[0], PathOf(spec.env), spec.work_dir);
  ExitFacts facts;
  if (executable.empty()) facts.unresolved_command = spec.argv[0];

  // The record names the cgroups before they exist and outlives them
  // (declared first, destroyed last), so a controller killed at any moment
  // leaves nothing ReapLeftoverJobs cannot find.
  const uint64_t job_index = g_next_job.fetch_add(1);
  const std::string cgroup_name = absl::StrCat("cambrian-", getpid(), "-", job_index);
  std::unique_ptr<JobRecord> record;
  if (!options_.state_dir.empty()) {
    CAMBRIAN_ASSIGN_OR_RETURN(
        record, JobRecord::Create(options_.state_dir, JobCgroup::DirsFor(cgroups_, cgroup_name)));
  }
  std::unique_ptr<JobCgroup> cgroup;
  if (cgroups_.usable()) {
    CAMBRIAN_ASSIGN_OR_RETURN(cgroup, JobCgroup::Create(cgroups_, cgroup_name,
                                                        {.memory_bytes = spec.limits.memory_bytes,
                                                         .max_processes = spec.limits.max_processes,
                                                         .cpus = spec.limits.cpus}));
  }
  const auto start = SteadyClock::now();
  CAMBRIAN_ASSIGN_OR_RETURN(
      ChildProcess child,
      StartChild(spec, executable,
                 cgroup ? cgroup->ProcsFiles() : std::vector<std::filesystem::path>{},
                 cgroups_.cpu() ? std::nullopt : JobAffinity(spec.limits.cpus, job_index)));
  // Without it the cgroup still finds the tree; a failure here is not worth
  // abandoning a started job for.
  if (record) record->SetProcessGroup(child.pid).IgnoreError();
  if (spec.on_start) {
    StartedJob started{.pid = child.pid};
    if (cgroup) cgroup->CpuUsageFile(&started.cpu_usage_file, &started.cpu_usage_format);
    spec.on_start(started);
  }
  JobResult result;
  result.pid = child.pid;
  SuperviseAndKill(spec, child, start, cgroup.get(), &facts, &result);
  CAMBRIAN_RETURN_IF_ERROR(Reap(child.pid, &result));
  if (cgroup) {
    facts.oom_killed = cgroup->OomKilled();
    facts.process_cap_hit = cgroup->ProcessCapHit();
    // rusage only counts descendants that were waited for all the way up,
    // which bubblewrap's namespace init does not pass on: the cgroup's own
    // counters cover the whole tree.
    result.cpu_seconds = std::max(result.cpu_seconds, cgroup->CpuSeconds());
    result.peak_rss_bytes = std::max(result.peak_rss_bytes, cgroup->PeakMemoryBytes());
  }
  ClassifyJob(spec.limits, facts, &result);
  return result;
}

}  // namespace cambrian::sandbox
