// ProcessSandbox with real child processes: exit statuses, the environment,
// stdin, descriptors, errors and concurrency. Limits are in
// process_sandbox_limits_test.cc.
#include "sandbox/process_sandbox.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_split.h"
#include "sandbox/environment.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

using ::cambrian::sandbox::testing::GroupGone;
using ::cambrian::sandbox::testing::MakeTempDir;
using ::cambrian::sandbox::testing::ShellJob;
using ::testing::HasSubstr;

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> lines;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    lines.insert(std::string(line));
  }
  return lines;
}

TEST(ProcessSandboxTest, CapturesStdoutAndStderrOfSuccessfulJob) {
  ProcessSandbox sandbox;
  auto result = sandbox.Run(ShellJob("echo out; echo err >&2; pwd", MakeTempDir()));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk);
  EXPECT_EQ(result->exit_code, 0);
  EXPECT_EQ(result->term_signal, 0);
  EXPECT_THAT(result->output_tail, HasSubstr("out\nerr\n"));
  EXPECT_EQ(result->output_bytes, static_cast<int64_t>(result->output_tail.size()));
  EXPECT_GT(result->pid, 0);
  EXPECT_GT(result->peak_rss_bytes, 0);
  EXPECT_GE(result->wall_seconds, 0);
  EXPECT_TRUE(result->detail.empty()) << result->detail;
}

TEST(ProcessSandboxTest, RunsInWorkDir) {
  const auto dir = MakeTempDir();
  ProcessSandbox sandbox;
  auto result = sandbox.Run(ShellJob("pwd -P", dir));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->output_tail, std::filesystem::canonical(dir).string() + "\n");
}

TEST(ProcessSandboxTest, NonZeroExitIsRuntimeError) {
  ProcessSandbox sandbox;
  auto result = sandbox.Run(ShellJob("echo failing; exit 3", MakeTempDir()));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kRuntimeError);
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->detail, "exit code 3");
  EXPECT_EQ(result->output_tail, "failing\n");
}

TEST(ProcessSandboxTest, DeathBySignalNamesTheSignal) {
  ProcessSandbox sandbox;
  auto result = sandbox.Run(ShellJob("kill -SEGV $$", MakeTempDir()));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kRuntimeError);
  EXPECT_EQ(result->exit_code, -1);
  EXPECT_EQ(result->term_signal, SIGSEGV);
  EXPECT_EQ(result->detail, "killed by SIGSEGV");
}

TEST(ProcessSandboxTest, EnvironmentIsExactlyTheGivenOne) {
  JobSpec spec = ShellJob("", MakeTempDir());
  spec.argv = {"env"};
  spec.env = {{"PATH", kDefaultPath}, {"CAMBRIAN_STAGE", "build"}, {"EMPTY", ""}};
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->output_tail;
  EXPECT_EQ(Lines(result->output_tail), (std::set<std::string>{std::string("PATH=") + kDefaultPath,
                                                               "CAMBRIAN_STAGE=build", "EMPTY="}));
}

TEST(ProcessSandboxTest, StdinIsDevNull) {
  JobSpec spec = ShellJob("", MakeTempDir());
  spec.argv = {"cat"};
  spec.limits.wall_timeout = absl::Seconds(10);
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->detail;
  EXPECT_EQ(result->output_bytes, 0);
  EXPECT_LT(result->wall_seconds, 5);
}

TEST(ProcessSandboxTest, HarnessDescriptorsDoNotLeak) {
  // Opened without O_CLOEXEC, like a library might (SQLite's db, a socket).
  const int leaky = open("/dev/null", O_RDONLY);
  ASSERT_GE(leaky, 3);
  ProcessSandbox sandbox;
  auto result = sandbox.Run(ShellJob("ls /proc/$$/fd", MakeTempDir()));
  close(leaky);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->outcome, Outcome::kOk) << result->output_tail;
  EXPECT_EQ(Lines(result->output_tail), (std::set<std::string>{"0", "1", "2"}));
}

TEST(ProcessSandboxTest, MissingWorkDirIsAnErrorNamingIt) {
  const auto missing = MakeTempDir() / "no-such-dir";
  ProcessSandbox sandbox;
  auto result = sandbox.Run(ShellJob("true", missing));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(missing.string()));
}

TEST(ProcessSandboxTest, EmptyArgvIsAnError) {
  JobSpec spec = ShellJob("", MakeTempDir());
  spec.argv.clear();
  ProcessSandbox sandbox;
  EXPECT_EQ(sandbox.Run(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProcessSandboxTest, NonPositiveWallTimeoutIsAnError) {
  JobSpec spec = ShellJob("true", MakeTempDir());
  spec.limits.wall_timeout = absl::ZeroDuration();
  ProcessSandbox sandbox;
  EXPECT_EQ(sandbox.Run(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ProcessSandboxTest, InfiniteWallTimeoutIsAccepted) {
  JobSpec spec = ShellJob("echo fine", MakeTempDir());
  spec.limits.wall_timeout = absl::InfiniteDuration();
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk);
  EXPECT_EQ(result->output_tail, "fine\n");
}

TEST(ProcessSandboxTest, CommandNotFoundIsAJobResult) {
  JobSpec spec = ShellJob("", MakeTempDir());
  spec.argv = {"cambrian-no-such-command", "--flag"};
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kRuntimeError);
  EXPECT_EQ(result->exit_code, 127);
  EXPECT_EQ(result->detail, "command not found: cambrian-no-such-command");
  EXPECT_THAT(result->output_tail, HasSubstr("cambrian-no-such-command"));
}

TEST(ProcessSandboxTest, MissingAbsoluteCommandExits127) {
  JobSpec spec = ShellJob("", MakeTempDir());
  spec.argv = {"/nonexistent/cambrian-tool"};
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kRuntimeError);
  EXPECT_EQ(result->exit_code, 127);
}

TEST(ProcessSandboxTest, LooksCommandsUpOnTheJobsPath) {
  const auto dir = MakeTempDir();
  std::filesystem::create_directory(dir / "bin");
  {
    std::ofstream tool(dir / "bin" / "hello-tool");
    tool << "#!/bin/sh\necho hello from tool\n";
  }
  std::filesystem::permissions(dir / "bin" / "hello-tool", std::filesystem::perms::owner_all);
  JobSpec spec = ShellJob("", dir);
  spec.argv = {"hello-tool"};
  spec.env["PATH"] = (dir / "bin").string() + ":" + kDefaultPath;
  ProcessSandbox sandbox;
  auto result = sandbox.Run(spec);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->outcome, Outcome::kOk) << result->output_tail;
  EXPECT_EQ(result->output_tail, "hello from tool\n");
}

TEST(ProcessSandboxTest, ConcurrentJobsFromSeveralThreadsAreIndependent) {
  constexpr int kJobs = 4;
  ProcessSandbox sandbox;
  std::vector<absl::StatusOr<JobResult>> results(kJobs, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kJobs; ++i) {
    threads.emplace_back([&, i] {
      results[i] = sandbox.Run(
          ShellJob("echo job-" + std::to_string(i) + "; sleep 0.3; exit " + std::to_string(10 + i),
                   MakeTempDir()));
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kJobs; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status();
    EXPECT_EQ(results[i]->exit_code, 10 + i);
    EXPECT_EQ(results[i]->output_tail, "job-" + std::to_string(i) + "\n");
    EXPECT_TRUE(GroupGone(results[i]->pid));
  }
}

}  // namespace
}  // namespace cambrian::sandbox
