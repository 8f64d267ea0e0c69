#include "sandbox/job_outcome.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace cambrian::sandbox {
namespace {

JobResult Exited(int code) {
  JobResult result;
  result.exit_code = code;
  return result;
}

JobResult Signaled(int signal_number) {
  JobResult result;
  result.exit_code = -1;
  result.term_signal = signal_number;
  return result;
}

JobResult Classified(JobResult result, const ResourceLimits& limits = {},
                     const ExitFacts& facts = {}) {
  ClassifyJob(limits, facts, &result);
  return result;
}

TEST(ClassifyJobTest, ExitStatuses) {
  EXPECT_EQ(Classified(Exited(0)).outcome, Outcome::kOk);
  JobResult failed = Classified(Exited(2));
  EXPECT_EQ(failed.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(failed.detail, "exit code 2");
  JobResult crashed = Classified(Signaled(SIGABRT));
  EXPECT_EQ(crashed.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(crashed.detail, "killed by SIGABRT");
}

TEST(ClassifyJobTest, SupervisorReasonsWinOverExitStatus) {
  ResourceLimits limits;
  limits.wall_timeout = absl::Seconds(60);
  limits.output_bytes = 100;
  JobResult timeout = Classified(Signaled(SIGKILL), limits, {KillReason::kWallTimeout, ""});
  EXPECT_EQ(timeout.outcome, Outcome::kTimeout);
  EXPECT_EQ(timeout.detail, "killed after 60s wall time");
  JobResult cancelled = Classified(Exited(0), limits, {KillReason::kCancelled, ""});
  EXPECT_EQ(cancelled.outcome, Outcome::kKilled);
  EXPECT_EQ(cancelled.detail, "cancelled");
  JobResult flood = Classified(Exited(0), limits, {KillReason::kOutputLimit, ""});
  EXPECT_EQ(flood.outcome, Outcome::kOutputLimit);
  EXPECT_EQ(flood.detail, "output exceeded 100 bytes");
}

TEST(ClassifyJobTest, CgroupCapsWinOverExitStatusAndTimeout) {
  ExitFacts oom;
  oom.oom_killed = true;
  EXPECT_EQ(Classified(Exited(0), {}, oom).outcome, Outcome::kMemoryLimit);
  oom.kill_reason = KillReason::kWallTimeout;
  EXPECT_EQ(Classified(Signaled(SIGKILL), {}, oom).outcome, Outcome::kMemoryLimit);
  ExitFacts bomb = oom;
  bomb.process_cap_hit = true;  // a fork bomb that also ran out of memory
  JobResult result = Classified(Exited(0), {}, bomb);
  EXPECT_EQ(result.outcome, Outcome::kProcessLimit);
  EXPECT_NE(result.detail.find("process limit"), std::string::npos);
  bomb.kill_reason = KillReason::kCancelled;  // a cancel is still a cancel
  EXPECT_EQ(Classified(Exited(0), {}, bomb).outcome, Outcome::kKilled);
}

TEST(ClassifyJobTest, DiskCap) {
  ExitFacts facts;
  facts.kill_reason = KillReason::kDiskLimit;
  ResourceLimits limits;
  limits.disk_bytes = 1000;
  JobResult result = Classified(Signaled(SIGKILL), limits, facts);
  EXPECT_EQ(result.outcome, Outcome::kDiskLimit);
  EXPECT_NE(result.detail.find("1000 bytes"), std::string::npos);
  facts.unmeasured = "a directory cannot be opened: Permission denied";
  result = Classified(Signaled(SIGKILL), limits, facts);
  EXPECT_EQ(result.outcome, Outcome::kDiskLimit);  // fail closed
  EXPECT_NE(result.detail.find("could not be measured"), std::string::npos);
}

TEST(ClassifyJobTest, InodeCap) {
  ExitFacts facts;
  facts.kill_reason = KillReason::kInodeLimit;
  ResourceLimits limits;
  limits.max_inodes = 500;
  JobResult result = Classified(Exited(0), limits, facts);
  EXPECT_EQ(result.outcome, Outcome::kInodeLimit);
  EXPECT_NE(result.detail.find("500 entries"), std::string::npos);
}

TEST(ClassifyJobTest, FractionalWallTimeoutInDetail) {
  ResourceLimits limits;
  limits.wall_timeout = absl::Milliseconds(1500);
  EXPECT_EQ(Classified(Signaled(SIGKILL), limits, {KillReason::kWallTimeout, ""}).detail,
            "killed after 1.5s wall time");
}

TEST(ClassifyJobTest, CpuLimit) {
  ResourceLimits limits;
  limits.cpu_time = absl::Seconds(2);
  EXPECT_EQ(Classified(Signaled(SIGXCPU), limits).outcome, Outcome::kTimeout);
  EXPECT_EQ(Classified(Signaled(SIGXCPU), limits).detail, "CPU time limit");
  EXPECT_EQ(Classified(Exited(128 + SIGXCPU), limits).outcome, Outcome::kTimeout);
  JobResult hard = Signaled(SIGKILL);
  hard.cpu_seconds = 3.0;
  EXPECT_EQ(Classified(hard, limits).outcome, Outcome::kTimeout);
  // Without a CPU limit, SIGXCPU is just a signal.
  EXPECT_EQ(Classified(Signaled(SIGXCPU)).outcome, Outcome::kRuntimeError);
  // A SIGKILL from elsewhere, well under the limit, is not a CPU timeout.
  EXPECT_EQ(Classified(Signaled(SIGKILL), limits).outcome, Outcome::kRuntimeError);
}

TEST(ClassifyJobTest, MemoryLimitFromOutputOrPeakRss) {
  ResourceLimits limits;
  limits.address_space_bytes = 1000;
  JobResult bad_alloc = Signaled(SIGABRT);
  bad_alloc.output_tail = "terminate called after throwing an instance of 'std::bad_alloc'";
  EXPECT_EQ(Classified(bad_alloc, limits).outcome, Outcome::kMemoryLimit);
  JobResult python = Exited(1);
  python.output_tail = "Traceback...\nMemoryError\n";
  EXPECT_EQ(Classified(python, limits).outcome, Outcome::kMemoryLimit);
  JobResult big = Exited(1);
  big.peak_rss_bytes = 900;
  EXPECT_EQ(Classified(big, limits).outcome, Outcome::kMemoryLimit);
  JobResult small = Exited(1);
  small.peak_rss_bytes = 899;
  EXPECT_EQ(Classified(small, limits).outcome, Outcome::kRuntimeError);
  // Without a cap, the same text is an ordinary failure; success stays success.
  EXPECT_EQ(Classified(python).outcome, Outcome::kRuntimeError);
  JobResult ok = Exited(0);
  ok.output_tail = "out of memory? no";
  EXPECT_EQ(Classified(ok, limits).outcome, Outcome::kOk);
}

TEST(ClassifyJobTest, FileSizeLimitAndMissingCommandDetails) {
  ResourceLimits limits;
  limits.file_size_bytes = 1 << 20;
  EXPECT_EQ(Classified(Signaled(SIGXFSZ), limits).detail, "file size limit");
  EXPECT_EQ(Classified(Exited(128 + SIGXFSZ), limits).detail, "file size limit");
  EXPECT_EQ(Classified(Signaled(SIGXFSZ)).detail, "killed by SIGXFSZ");
  JobResult missing = Classified(Exited(127), {}, {KillReason::kNone, "gcc"});
  EXPECT_EQ(missing.outcome, Outcome::kRuntimeError);
  EXPECT_EQ(missing.detail, "command not found: gcc");
  EXPECT_EQ(Classified(Exited(127)).detail, "exit code 127");
}

TEST(SignalNameTest, NamesAndNumbers) {
  EXPECT_EQ(SignalName(SIGSEGV), "SIGSEGV");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(1000), "signal 1000");
}

}  // namespace
}  // namespace cambrian::sandbox
