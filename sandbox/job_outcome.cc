#include "sandbox/job_outcome.h"

#include <csignal>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace cambrian::sandbox {
namespace {

// Shells report a child killed by signal N as exit status 128+N; a stage's
// command is usually `sh -c "..."`, so treat that as the signal too.
bool DiedOf(const JobResult& result, int signal_number) {
  return result.term_signal == signal_number || result.exit_code == 128 + signal_number;
}

bool HitCpuLimit(const ResourceLimits& limits, const JobResult& result) {
  if (limits.cpu_time <= absl::ZeroDuration()) return false;
  if (DiedOf(result, SIGXCPU)) return true;
  // The hard limit (one second past the soft one) is enforced with SIGKILL.
  return result.term_signal == SIGKILL &&
         result.cpu_seconds >= absl::ToDoubleSeconds(limits.cpu_time);
}

bool HitMemoryLimit(const ResourceLimits& limits, const JobResult& result) {
  if (limits.address_space_bytes <= 0) return false;
  for (std::string_view needle :
       {"std::bad_alloc", "MemoryError", "Cannot allocate memory", "out of memory"}) {
    if (result.output_tail.find(needle) != std::string::npos) return true;
  }
  // An address-space cap makes allocations fail rather than the kernel kill
  // the job, but a job that swallows the error still shows a large peak.
  return result.peak_rss_bytes * 10 >= limits.address_space_bytes * 9;
}

std::string FailureDetail(const ResourceLimits& limits, const ExitFacts& facts,
                          const JobResult& result) {
  if (limits.file_size_bytes > 0 && DiedOf(result, SIGXFSZ)) return "file size limit";
  if (result.term_signal != 0) return absl::StrCat("killed by ", SignalName(result.term_signal));
  if (result.exit_code == 127 && !facts.unresolved_command.empty()) {
    return absl::StrCat("command not found: ", facts.unresolved_command);
  }
  return absl::StrCat("exit code ", result.exit_code);
}

// The caps a cgroup reports; true if one fired. A fork bomb may also run
// out of memory: the process cap names the cause.
bool ClassifyCgroupCap(const ResourceLimits& limits, const ExitFacts& facts, JobResult* result) {
  if (facts.process_cap_hit) {
    result->outcome = Outcome::kProcessLimit;
    result->detail = absl::StrCat("process limit (", limits.max_processes, " processes)");
    return true;
  }
  if (facts.oom_killed) {
    result->outcome = Outcome::kMemoryLimit;
    result->detail = absl::StrCat("memory limit (", limits.memory_bytes, " bytes for the job)");
    return true;
  }
  return false;
}

}  // namespace

std::string SignalName(int signal_number) {
  const char* abbrev = sigabbrev_np(signal_number);
  if (abbrev == nullptr) return absl::StrCat("signal ", signal_number);
  return absl::StrCat("SIG", abbrev);
}

void ClassifyJob(const ResourceLimits& limits, const ExitFacts& facts, JobResult* result) {
  if (facts.kill_reason != KillReason::kCancelled && ClassifyCgroupCap(limits, facts, result)) {
    return;
  }
  switch (facts.kill_reason) {
    case KillReason::kCancelled:
      result->outcome = Outcome::kKilled;
      result->detail = "cancelled";
      return;
    case KillReason::kDiskLimit:
      result->outcome = Outcome::kDiskLimit;
      result->detail = facts.unmeasured.empty()
                           ? absl::StrCat("job directories exceeded ", limits.disk_bytes, " bytes")
                           : absl::StrCat("job directories could not be measured (",
                                          facts.unmeasured, "): counted as over the disk cap");
      return;
    case KillReason::kInodeLimit:
      result->outcome = Outcome::kInodeLimit;
      result->detail = absl::StrCat("job directories exceeded ", limits.max_inodes, " entries");
      return;
    case KillReason::kWallTimeout:
      result->outcome = Outcome::kTimeout;
      result->detail =
          absl::StrFormat("killed after %gs wall time", absl::ToDoubleSeconds(limits.wall_timeout));
      return;
    case KillReason::kOutputLimit:
      result->outcome = Outcome::kOutputLimit;
      result->detail = absl::StrCat("output exceeded ", limits.output_bytes, " bytes");
      return;
    case KillReason::kNone:
      break;
  }
  if (result->exit_code == 0) {
    result->outcome = Outcome::kOk;
    result->detail.clear();
  } else if (HitCpuLimit(limits, *result)) {
    result->outcome = Outcome::kTimeout;
    result->detail = "CPU time limit";
  } else if (HitMemoryLimit(limits, *result)) {
    result->outcome = Outcome::kMemoryLimit;
    result->detail = absl::StrCat("memory limit (", limits.address_space_bytes, " bytes)");
  } else {
    result->outcome = Outcome::kRuntimeError;
    result->detail = FailureDetail(limits, facts, *result);
  }
}

}  // namespace cambrian::sandbox
