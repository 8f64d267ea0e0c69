// Turns what the process supervisor observed (exit status, rusage, why it
// killed the job) into a JobResult's outcome and detail. Pure functions, kept
// apart from the fork/exec code so every rule is unit-testable.
#ifndef CAMBRIAN_SANDBOX_JOB_OUTCOME_H_
#define CAMBRIAN_SANDBOX_JOB_OUTCOME_H_

#include <string>

#include "sandbox/sandbox.h"

namespace cambrian::sandbox {

// Why the supervisor killed the job's process group, if it did. The
// supervisor's reason wins over whatever the job's exit status says.
enum class KillReason { kNone, kWallTimeout, kCancelled, kOutputLimit, kDiskLimit, kInodeLimit };

struct ExitFacts {
  KillReason kill_reason = KillReason::kNone;
  // argv[0] when the harness's PATH lookup found nothing (the child then
  // exits 127); empty otherwise.
  std::string unresolved_command;
  // From the job's cgroup, if it had one: the kernel OOM-killed one of its
  // processes (memory cap), or a fork failed on the process-count cap.
  bool oom_killed = false;
  bool process_cap_hit = false;
  // With kDiskLimit: why the job's directories could not be measured (they
  // then count as over the cap); empty when they were and exceeded it.
  std::string unmeasured;
};

// Sets result->outcome and result->detail from result->exit_code,
// term_signal, cpu_seconds, peak_rss_bytes, output_tail and `facts`, in this
// order of precedence:
//   cancelled -> kKilled; the process-count cap hit -> kProcessLimit; an
//   OOM kill in the job's cgroup -> kMemoryLimit (a cap that fired wins
//   over the exit status: a fork bomb's main process may well exit 0);
//   wall timeout -> kTimeout; output cap -> kOutputLimit; disk cap ->
//   kDiskLimit; inode cap -> kInodeLimit; exit 0 -> kOk; SIGXCPU (or SIGKILL past the CPU limit, or
//   a shell's exit 128+SIGXCPU) under a CPU limit -> kTimeout "CPU time limit"; a failure under an
//   address-space cap whose output mentions an allocation failure or whose peak RSS reached 90% of
//   the cap -> kMemoryLimit; anything else -> kRuntimeError, with a detail naming the signal, the
//   file size limit, a missing command or the exit code.
void ClassifyJob(const ResourceLimits& limits, const ExitFacts& facts, JobResult* result);

// "SIGSEGV" for SIGSEGV; "signal 77" for a number with no name.
std::string SignalName(int signal_number);

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_JOB_OUTCOME_H_
