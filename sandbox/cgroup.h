// Control groups for jobs: one cgroup per job holds the job's whole process
// tree, so the tree can be capped (memory, process count) and killed as a
// whole, including processes that called setsid() or double-forked out of
// the job's process group. Internal to the sandbox module.
//
// Supported: cgroup v1 (the memory, pids, cpu and cpuacct controllers, each
// its own hierarchy or mounted together) and cgroup v2 (the unified hierarchy). Job cgroups are
// made below the controller's own cgroup in each hierarchy, which must be writable (root, or a
// delegated subtree). Without a usable hierarchy the sandbox falls back to rlimits and process
// groups (see DetectCgroups).
#ifndef CAMBRIAN_SANDBOX_CGROUP_H_
#define CAMBRIAN_SANDBOX_CGROUP_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cambrian::sandbox {

// One place job cgroups can be made.
struct CgroupHierarchy {
  std::filesystem::path parent;  // job cgroups are made below this directory
  bool unified = false;          // cgroup v2
  bool memory = false;           // memory limits are available here
  bool pids = false;             // process-count limits are available here
  bool cpuacct = false;          // v1 CPU accounting here (v2 always has cpu.stat)
  bool cpu = false;              // CPU bandwidth limits (v1 cfs quota, v2 cpu.max) here
};

// The caps of one job's cgroup; 0 means none.
struct CgroupLimits {
  int64_t memory_bytes = 0;   // the whole tree's memory, swap included
  int64_t max_processes = 0;  // processes and threads alive at once
  double cpus = 0;            // CPU time per wall-clock second (a quota per 100 ms period)
};

struct CgroupSupport {
  std::vector<CgroupHierarchy> hierarchies;  // empty: no usable cgroups
  // One line for people: "cgroup v1 (memory, pids)", or why none is usable.
  std::string summary;

  bool usable() const { return !hierarchies.empty(); }
  bool memory() const;
  bool pids() const;
  // CPU bandwidth limits (CgroupLimits::cpus) can be enforced.
  bool cpu() const;
  // CPU accounting of a job's whole tree (v1 cpuacct or v2): what judges
  // charge a worker's CPU from.
  bool cpu_accounting() const;
};

// Reads /proc/self/mountinfo and /proc/self/cgroup, prefers cgroup v1
// memory+pids when mounted, else v2 (enabling the memory and pids
// controllers for the controller's cgroup; if that cgroup holds processes,
// which cgroup v2 forbids for a parent with controllers, the calling process
// first moves itself into a child leaf "cambrian-controller"). Each hierarchy
// is probed by making and removing a directory. Never fails: an unusable
// machine gives an empty `hierarchies` and the reason in `summary`.
CgroupSupport DetectCgroups();

// A job's cgroups (one per hierarchy). Not thread-safe; one per job.
class JobCgroup {
 public:
  // Makes `name` below every hierarchy of `support` and sets the limits its
  // controllers can enforce (swap is capped too, so memory cannot spill into
  // it). Errors: the errno of a failing mkdir or limit write (the
  // directories made so far are removed).
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<JobCgroup>> Create(
      const CgroupSupport& support, const std::string& name, const CgroupLimits& limits);
  // The directories Create(support, name, ...) makes, without making them.
  static std::vector<std::filesystem::path> DirsFor(const CgroupSupport& support,
                                                    const std::string& name);
  // Kills what is left and removes the directories (best effort).
  ~JobCgroup();
  JobCgroup(const JobCgroup&) = delete;
  JobCgroup& operator=(const JobCgroup&) = delete;

  const std::vector<std::filesystem::path>& dirs() const { return dirs_; }
  // The cgroup.procs files a process writes "0" into to join the job.
  std::vector<std::filesystem::path> ProcsFiles() const;

  // SIGKILLs every process in the job's cgroups until they are empty (or a
  // few seconds pass). Processes forked meanwhile are caught by the next
  // round; the pids cap bounds how many there can be.
  void KillAll();
  // True if the kernel OOM-killed a process of the job (memory cap).
  bool OomKilled() const;
  // True if a fork() failed on the process-count cap.
  bool ProcessCapHit() const;
  // Peak memory of the tree as the memory controller counted it; 0 unknown.
  int64_t PeakMemoryBytes() const;
  // CPU time (user + system) of every process that ran in the job's cgroup,
  // reaped or not, however deep (bubblewrap's PID namespace does not pass
  // its children's rusage up); 0 unknown.
  double CpuSeconds() const;
  // The file CpuSeconds reads, for a reader that polls it while the job runs
  // (a judge charging the job's CPU): sets *file and *format
  // ("cpuacct.usage" or "cpu.stat", as StartedJob describes) and returns
  // true, or false when no hierarchy accounts CPU.
  bool CpuUsageFile(std::filesystem::path* file, std::string* format) const;

 private:
  explicit JobCgroup(std::vector<CgroupHierarchy> hierarchies)
      : hierarchies_(std::move(hierarchies)) {}

  std::vector<CgroupHierarchy> hierarchies_;
  std::vector<std::filesystem::path> dirs_;  // parallel to hierarchies_
};

// Kills every process in each cgroup directory (and its sub-cgroups) and
// removes the directories. Returns true if all are gone. Used at the end of
// a job and by ReapLeftoverJobs for a dead controller's jobs.
bool KillAndRemoveCgroups(const std::vector<std::filesystem::path>& dirs);

// Job cgroups are named "cambrian-<controller pid>-<n>". Kills and removes
// those below `support`'s hierarchies whose controller is no longer running
// (a controller SIGKILLed without a state_dir, or before it could write its
// record). Returns how many were removed.
int SweepDeadControllersCgroups(const CgroupSupport& support);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_CGROUP_H_
