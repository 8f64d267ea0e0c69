// ReapLeftoverJobs after a controller is SIGKILLed mid-job.
#include "sandbox/job_registry.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "sandbox/process_sandbox.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;
using ::cambrian::sandbox::testing::MakeTempDir;
using ::cambrian::sandbox::testing::ShellJob;

// Live processes whose command line is exactly "sleep MARKER".
int MarkerProcesses(const std::string& marker) {
  int live = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    char state = 0;
    long group = 0;
    if (cmdline == std::string("sleep\0", 6) + marker + '\0' &&
        testing::ReadProcStat(entry.path(), &state, &group) && testing::IsLive(state)) {
      ++live;
    }
  }
  return live;
}

bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 250; ++i) {
    if (condition()) return true;
    usleep(20000);
  }
  return false;
}

TEST(JobRegistryTest, MissingStateDirIsNothingToDo) {
  EXPECT_TRUE(ReapLeftoverJobs(MakeTempDir() / "absent").ok());
}

TEST(JobRegistryTest, StartTimeOfThisProcessIsKnownAndOfNoProcessZero) {
  EXPECT_GT(ProcessStartTime(getpid()), 0u);
  EXPECT_EQ(ProcessStartTime(0x3fffffff), 0u);
}

TEST(JobRegistryTest, ANewControllerKillsWhatAKilledOneLeft) {
  if (!ProcessSandbox().cgroups().usable()) GTEST_SKIP() << "needs cgroups to find setsid'ed jobs";
  const fs::path state = MakeTempDir() / "state";
  const std::string marker = absl::StrCat(800000 + getpid() % 90000);
  const fs::path work = MakeTempDir();
  pid_t controller = fork();
  if (controller == 0) {
    ProcessSandbox sandbox({.state_dir = state, .use_cgroups = true});
    JobSpec spec = ShellJob(absl::StrCat("(setsid sleep ", marker, " &) ; sleep ", marker), work);
    spec.limits.wall_timeout = absl::Seconds(120);
    (void)sandbox.Run(spec);
    _exit(0);
  }
  ASSERT_TRUE(WaitFor([&] { return MarkerProcesses(marker) == 2; })) << "the job did not start";
  kill(controller, SIGKILL);
  waitpid(controller, nullptr, 0);
  // The job's main process (sh) dies with its controller; its children stay,
  // unless another cambrian on this machine (a test running beside this one)
  // swept the dead controller's cgroup first: its start-up sweep is
  // machine-wide, which is what it is for.
  usleep(200000);
  const int left = MarkerProcesses(marker);
  if (left == 0) std::cout << "leftovers already swept by a concurrent cambrian\n";
  ASSERT_FALSE(fs::is_empty(state)) << "no record of the running job";

  ASSERT_TRUE(ReapLeftoverJobs(state).ok());
  EXPECT_TRUE(WaitFor([&] { return MarkerProcesses(marker) == 0; })) << "a leftover survived";
  EXPECT_TRUE(fs::is_empty(state));
}

TEST(JobRegistryTest, RecordsOfALiveControllerAreLeftAlone) {
  const fs::path state = MakeTempDir() / "state";
  auto record = JobRecord::Create(state, {});
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_TRUE(ReapLeftoverJobs(state).ok());
  EXPECT_FALSE(fs::is_empty(state));
  record->reset();
  EXPECT_TRUE(fs::is_empty(state));
}

}  // namespace
}  // namespace cambrian::sandbox
