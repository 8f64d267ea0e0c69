// ProcessSandbox limits with real child processes: wall and CPU time, output,
// memory, file size, cancellation, and that nothing of a job survives Run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "sandbox/child_process.h"
#include "sandbox/environment.h"
#include "sandbox/process_sandbox.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

using ::cambrian::sandbox::testing::GroupGone;
using ::cambrian::sandbox::testing::MakeTempDir;
using ::cambrian::sandbox::testing::ProcessGone;
using ::cambrian::sandbox::testing::SecondsSince;
using ::cambrian::sandbox::testing::ShellJob;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using SteadyClock = std::chrono::steady_clock;

pid_t ReadPid(const std::filesystem::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

TEST(ProcessSandboxLimitsTest, WallTimeoutKillsTheWholeGroup) {
  // The shell stays the parent of both sleeps, so the group has three members.
  JobSpec spec = ShellJob("sleep 1000 & sleep 1000; true", MakeTempDir());
  spec.limits.wall_timeout = absl::Seconds(1);
  ProcessSandbox sandbox;
  const auto start = SteadyClock::now();
  auto result = sandbox.Run(spec);
  const double elapsed = SecondsSince(start);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kTimeout);
  EXPECT_EQ(result->detail, "killed after 1s wall time");
  EXPECT_EQ(result->term_signal, SIGKILL);
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 4.0);
  EXPECT_TRUE(GroupGone(result->pid));
}

TEST(ProcessSandboxLimitsTest, BackgroundChildIsKilledWhenMainProcessExits) {
  const auto dir = MakeTempDir();
  // The background sleep inherits stdout: a supervisor waiting for EOF hangs.
  JobSpec spec = ShellJob("sleep 1000 & echo $! > bg.pid; echo done", dir);
  ProcessSandbox sandbox;
  const auto start = SteadyClock::now();
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(SecondsSince(start), 5.0);
  EXPECT_EQ(result->outcome, Outcome::kOk);
  EXPECT_EQ(result->output_tail, "done\n");
  const pid_t background = ReadPid(dir / "bg.pid");
  ASSERT_GT(background, 0);
  EXPECT_TRUE(ProcessGone(background));
  EXPECT_TRUE(GroupGone(result->pid));
}

TEST(ProcessSandboxLimitsTest, EscapedProcessHoldingThePipeDoesNotHangRun) {
  const auto dir = MakeTempDir();
  // setsid leaves the job's group, so the group kill cannot reach it; it
  // still holds the pipe's write end.
  JobSpec spec = ShellJob("setsid sleep 1000 & echo $! > escaped.pid; exit 0", dir);
  ProcessSandbox sandbox;
  const auto start = SteadyClock::now();
  auto result = sandbox.Run(spec);
  const pid_t escaped = ReadPid(dir / "escaped.pid");
  if (escaped > 0) kill(escaped, SIGKILL);  // our own leftover; not the sandbox's job
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(SecondsSince(start), 5.0);
  EXPECT_EQ(result->outcome, Outcome::kOk);
}

TEST(ProcessSandboxLimitsTest, OutputFloodIsStoppedAtTheCap) {
  JobSpec spec = ShellJob("yes", MakeTempDir());
  spec.limits.output_bytes = 1 << 20;
  spec.limits.output_tail_bytes = 64;
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOutputLimit);
  EXPECT_EQ(result->detail, "output exceeded 1048576 bytes");
  EXPECT_GT(result->output_bytes, 1 << 20);
  EXPECT_LT(result->output_bytes, 4 << 20);
  EXPECT_EQ(result->output_tail.size(), 64u);
  EXPECT_TRUE(GroupGone(result->pid));
}

TEST(ProcessSandboxLimitsTest, OutputTailKeepsTheEnd) {
  JobSpec spec = ShellJob("seq 1 100000", MakeTempDir());
  spec.limits.output_tail_bytes = 100;
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk);
  int64_t expected_total = 0;
  for (int i = 1; i <= 100000; ++i) expected_total += std::to_string(i).size() + 1;
  EXPECT_EQ(result->output_bytes, expected_total);
  EXPECT_EQ(result->output_tail.size(), 100u);
  EXPECT_THAT(result->output_tail, EndsWith("99999\n100000\n"));
}

// Runs `code` with python3 under a 256 MiB address-space cap.
absl::StatusOr<JobResult> RunPythonUnderMemoryCap(const std::string& code) {
  JobSpec spec = ShellJob("", MakeTempDir());
  spec.argv = {"python3", "-c", code};
  spec.limits.address_space_bytes = int64_t{256} << 20;
  return ProcessSandbox().Run(spec);
}

bool HavePython() { return !ResolveCommand("python3", kDefaultPath, "/").empty(); }

TEST(ProcessSandboxLimitsTest, AllocationBeyondAddressSpaceCapIsMemoryLimit) {
  if (!HavePython()) GTEST_SKIP() << "no python3 on " << kDefaultPath;
  auto result = RunPythonUnderMemoryCap("x = bytearray(2 << 30)");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kMemoryLimit) << result->detail << "\n"
                                                    << result->output_tail;
  EXPECT_THAT(result->output_tail, HasSubstr("MemoryError"));
}

TEST(ProcessSandboxLimitsTest, SmallAllocationUnderCapIsFine) {
  if (!HavePython()) GTEST_SKIP() << "no python3 on " << kDefaultPath;
  auto result = RunPythonUnderMemoryCap("x = bytearray(16 << 20); print(len(x))");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->output_tail;
  EXPECT_EQ(result->output_tail, "16777216\n");
}

TEST(ProcessSandboxLimitsTest, CpuLimitStopsABusyLoop) {
  JobSpec spec = ShellJob("while :; do :; done", MakeTempDir());
  spec.limits.cpu_time = absl::Seconds(1);
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kTimeout);
  EXPECT_EQ(result->detail, "CPU time limit");
  // The kernel samples CPU time at ticks, and rusage and RLIMIT_CPU see the
  // samples differently: on a busy machine 0.81 s was recorded for a 1 s
  // limit. The detail above is what proves the cap fired; this only checks
  // the loop really ran.
  EXPECT_GE(result->cpu_seconds, 0.5);
  EXPECT_LT(result->wall_seconds, 20);
}

// Two busy loops for 2 s under a CPU cap: CPU time per wall second stays
// near the cap. Only upper bounds (a loaded machine gives less, never more).
double CpuPerWallSecond(ProcessSandbox& sandbox, double cpus) {
  JobSpec spec =
      ShellJob("busy() { while :; do :; done; }; busy & a=$!; busy & b=$!; sleep 2; kill $a $b",
               MakeTempDir());
  spec.limits.cpus = cpus;
  auto result = sandbox.Run(spec);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return 0;
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->detail;
  return result->cpu_seconds / result->wall_seconds;
}

TEST(ProcessSandboxLimitsTest, CpuQuotaHoldsTheWholeTree) {
  ProcessSandbox sandbox;
  if (!sandbox.cgroups().cpu()) GTEST_SKIP() << "no cpu controller: " << sandbox.cgroups().summary;
  EXPECT_LT(CpuPerWallSecond(sandbox, 0.25), 0.4);
}

TEST(ProcessSandboxLimitsTest, WithoutCpuControllerTheJobIsPinned) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one CPU: nothing to pin to";
  ProcessSandbox sandbox({.state_dir = {}, .use_cgroups = false});
  EXPECT_LT(CpuPerWallSecond(sandbox, 1), 1.25);
}

TEST(ProcessSandboxLimitsTest, FileSizeLimitStopsALargeWrite) {
  const auto dir = MakeTempDir();
  JobSpec spec = ShellJob("head -c 4000000 /dev/zero > big", dir);
  spec.limits.file_size_bytes = 1 << 20;
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  // Whether head died of SIGXFSZ itself or the shell reported it as exit
  // 128+SIGXFSZ, the detail says why.
  EXPECT_EQ(result->outcome, Outcome::kRuntimeError);
  EXPECT_EQ(result->detail, "file size limit") << result->output_tail;
  EXPECT_LE(std::filesystem::file_size(dir / "big"), 1u << 20);
}

TEST(ProcessSandboxLimitsTest, CancelFlagKillsTheJobPromptly) {
  std::atomic<bool> cancel{false};
  JobSpec spec = ShellJob("sleep 1000; true", MakeTempDir());
  spec.cancel = &cancel;
  ProcessSandbox sandbox;
  std::thread canceller([&cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel = true;
  });
  const auto start = SteadyClock::now();
  auto result = sandbox.Run(spec);
  const double elapsed = SecondsSince(start);
  canceller.join();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kKilled);
  EXPECT_EQ(result->detail, "cancelled");
  EXPECT_LT(elapsed, 3.0);
  EXPECT_TRUE(GroupGone(result->pid));
}

}  // namespace
}  // namespace cambrian::sandbox
