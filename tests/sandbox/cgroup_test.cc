// Job cgroups: the hierarchy the machine offers, and cgroup v2 where it is
// mounted (on a cgroup v1 machine, the hybrid "unified" mount gives tracking
// and cgroup.kill without controllers).
#include "sandbox/cgroup.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "sandbox/process_sandbox.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;
using ::cambrian::sandbox::testing::MakeTempDir;
using ::cambrian::sandbox::testing::ProcessGone;
using ::cambrian::sandbox::testing::ShellJob;

TEST(CgroupTest, DetectionAlwaysSaysWhy) {
  CgroupSupport support = DetectCgroups();
  EXPECT_FALSE(support.summary.empty());
  EXPECT_EQ(support.usable(), support.summary.rfind("cgroup", 0) == 0) << support.summary;
}

TEST(CgroupTest, JobCgroupIsRemovedWithItsProcesses) {
  CgroupSupport support = DetectCgroups();
  if (!support.usable()) GTEST_SKIP() << support.summary;
  std::vector<fs::path> dirs;
  {
    auto cgroup = JobCgroup::Create(support, absl::StrCat("cambrian-test-", getpid()),
                                    {.memory_bytes = 64 << 20, .max_processes = 8});
    ASSERT_TRUE(cgroup.ok()) << cgroup.status();
    dirs = (*cgroup)->dirs();
    for (const fs::path& dir : dirs) EXPECT_TRUE(fs::is_directory(dir));
  }
  for (const fs::path& dir : dirs) EXPECT_FALSE(fs::exists(dir));
}

// A v2 hierarchy at the unified mount, if this machine has one we can write.
std::optional<CgroupSupport> UnifiedOnly() {
  for (const char* mount : {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"}) {
    if (!fs::exists(fs::path(mount) / "cgroup.procs") ||
        !fs::exists(fs::path(mount) / "cgroup.controllers")) {
      continue;
    }
    const fs::path probe = fs::path(mount) / absl::StrCat("cambrian-probe-", getpid());
    std::error_code ec;
    if (!fs::create_directory(probe, ec)) continue;
    fs::remove(probe, ec);
    CgroupSupport support;
    support.hierarchies = {{mount, true, false, false}};
    support.summary = "cgroup v2 (test)";
    return support;
  }
  return std::nullopt;
}

TEST(CgroupTest, UnderCgroupV2ADaemonThatLeftTheGroupIsKilled) {
  std::optional<CgroupSupport> v2 = UnifiedOnly();
  if (!v2) GTEST_SKIP() << "no writable cgroup v2 hierarchy";
  ProcessSandbox sandbox({.state_dir = {}, .use_cgroups = true, .cgroups = v2});
  const fs::path dir = MakeTempDir();
  auto result = sandbox.Run(ShellJob("(setsid sleep 300 & echo $! > pid) ; sleep 0.2", dir));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->output_tail;
  std::ifstream in(dir / "pid");
  pid_t daemon = 0;
  ASSERT_TRUE(in >> daemon);
  EXPECT_TRUE(ProcessGone(daemon)) << "the setsid'ed daemon outlived its job";
}

TEST(CgroupTest, SweepRemovesJobCgroupsOfDeadControllersOnly) {
  CgroupSupport support = DetectCgroups();
  if (!support.usable()) GTEST_SKIP() << support.summary;
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  auto orphan = JobCgroup::Create(support, absl::StrCat("cambrian-", dead, "-0"), {});
  auto alive = JobCgroup::Create(support, absl::StrCat("cambrian-", getpid(), "-999"), {});
  ASSERT_TRUE(orphan.ok() && alive.ok());
  pid_t job = fork();
  if (job == 0) {
    execl("/bin/sleep", "sleep", "300", nullptr);
    _exit(127);
  }
  for (const fs::path& procs : (*orphan)->ProcsFiles()) {
    std::ofstream(procs) << job;
  }
  EXPECT_GE(SweepDeadControllersCgroups(support), 1);
  EXPECT_EQ(waitpid(job, nullptr, 0), job);  // killed
  for (const fs::path& dir : (*orphan)->dirs()) EXPECT_FALSE(fs::exists(dir));
  for (const fs::path& dir : (*alive)->dirs()) EXPECT_TRUE(fs::exists(dir));
}

TEST(CgroupTest, WithoutCgroupsADaemonThatLeftTheGroupEscapes) {
  // What the cgroup buys, shown by its absence (killed here by hand).
  ProcessSandbox sandbox({.state_dir = {}, .use_cgroups = false});
  const fs::path dir = MakeTempDir();
  auto result = sandbox.Run(ShellJob("(setsid sleep 300 & echo $! > pid) ; sleep 0.2", dir));
  ASSERT_TRUE(result.ok()) << result.status();
  std::ifstream in(dir / "pid");
  pid_t daemon = 0;
  ASSERT_TRUE(in >> daemon);
  EXPECT_FALSE(ProcessGone(daemon, std::chrono::milliseconds(300)));
  kill(daemon, SIGKILL);
}

// A busy process that left the job's process tree (double fork, setsid) is
// never reaped by the job, so rusage misses it; the cgroup counts it.
void ExpectCgroupCountsCpuOfEscapedChildren(const CgroupSupport& support) {
  ProcessSandbox sandbox({.state_dir = {}, .use_cgroups = true, .cgroups = support});
  fs::path dir = MakeTempDir();
  JobSpec spec = ShellJob(
      "(setsid sh -c 'end=$(($(date +%s) + 2)); while [ $(date +%s) -lt $end ]; do :; done' &); "
      "sleep 2.5",
      dir);
  absl::StatusOr<JobResult> result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->detail;
  // Busy for 2 s: even on a loaded machine well above the ~0.01 s that
  // rusage of the shell and sleep alone would show.
  EXPECT_GT(result->cpu_seconds, 0.2) << support.summary;
  fs::remove_all(dir);
}

TEST(CgroupTest, CpuTimeCoversTheWholeTree) {
  CgroupSupport support = DetectCgroups();
  bool accounting = false;
  for (const CgroupHierarchy& h : support.hierarchies) accounting |= h.unified || h.cpuacct;
  if (!accounting) GTEST_SKIP() << "no CPU accounting: " << support.summary;
  ExpectCgroupCountsCpuOfEscapedChildren(support);
}

TEST(CgroupTest, CpuTimeCoversTheWholeTreeUnderCgroupV2) {
  std::optional<CgroupSupport> v2 = UnifiedOnly();
  if (!v2) GTEST_SKIP() << "no writable cgroup v2 hierarchy";
  ExpectCgroupCountsCpuOfEscapedChildren(*v2);
}

}  // namespace
}  // namespace cambrian::sandbox
