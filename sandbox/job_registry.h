// A record of every running job under a state directory, so that a new
// controller can kill what a SIGKILLed one left running (ReapLeftoverJobs).
#ifndef CAMBRIAN_SANDBOX_JOB_REGISTRY_H_
#define CAMBRIAN_SANDBOX_JOB_REGISTRY_H_

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cambrian::sandbox {

// One job's record file: "STATE_DIR/job-<controller pid>-<n>", holding the
// controller's pid and start time, the job's cgroup directories and, once
// forked, its process group id and start time (so PID reuse is noticed).
// Created before the job is forked, removed when it is gone. Not
// thread-safe; one per job.
class JobRecord {
 public:
  // Writes the record (creating state_dir). Errors: the directory or file
  // cannot be written.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<JobRecord>> Create(
      const std::filesystem::path& state_dir, const std::vector<std::filesystem::path>& cgroups);
  JobRecord(const JobRecord&) = delete;
  JobRecord& operator=(const JobRecord&) = delete;
  // Removes the record file.
  ~JobRecord();

  // Adds the job's process group (its main pid) to the record.
  [[nodiscard]] absl::Status SetProcessGroup(pid_t pgid);

 private:
  JobRecord(std::filesystem::path path, std::string text)
      : path_(std::move(path)), text_(std::move(text)) {}
  std::filesystem::path path_;
  std::string text_;
};

// The start time of process `pid` in clock ticks since boot (field 22 of
// /proc/PID/stat), or 0 if there is no such process.
unsigned long long ProcessStartTime(pid_t pid);

// Kills everything the jobs recorded under `state_dir` left running and
// removes their records and cgroups. The contract:
//  - a sandbox given SandboxOptions::state_dir (ProcessSandboxOptions::
//    state_dir) writes one record per running job there and removes it when
//    the job's tree is gone, so after a clean shutdown the directory is empty;
//  - a controller that was SIGKILLed leaves records behind: call this once at
//    start-up (resume), before starting any job, with the same state_dir;
//  - records of a controller that is still alive (same pid and start time)
//    are skipped, so calling it while another controller uses the directory
//    is harmless; a missing state_dir is OK (nothing to do);
//  - per record: every process in the recorded cgroups is SIGKILLed and the
//    cgroups removed; without cgroups the recorded process group is
//    SIGKILLed if its leader is gone or is the same process (start time);
//    then the record is deleted;
//  - finally, job cgroups of any controller that is no longer running are
//    killed and removed (SweepDeadControllersCgroups), records or not.
// Without cgroups, a job process that left its process group (setsid) cannot
// be found; under bubblewrap the PID namespace and --die-with-parent have
// already killed it. Returns the first error removing a record or a cgroup
// that stays busy; it still processes every record.
[[nodiscard]] absl::Status ReapLeftoverJobs(const std::filesystem::path& state_dir);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_JOB_REGISTRY_H_
