// What a judged stage needs from the sandbox: descriptors handed to a job at
// 3, 4, ..., the job's CPU accounting file once it has started, and host
// paths masked in an isolating sandbox. Real processes, in both modes.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "sandbox/sandbox_factory.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

using testing::MakeTempDir;
using testing::ShellJob;

// Reads everything from `fd` until EOF (every writer closed).
std::string Drain(int fd) {
  std::string out;
  char buffer[256];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  return out;
}

struct Pipe {
  Pipe() { EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0); }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  void CloseRead() {
    if (fds[0] >= 0) close(fds[0]);
    fds[0] = -1;
  }
  void CloseWrite() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
  int fds[2] = {-1, -1};
};

class JobWiringTest : public ::testing::TestWithParam<SandboxMode> {
 protected:
  void SetUp() override {
    SandboxOptions options;
    options.mode = GetParam();
    absl::StatusOr<SandboxChoice> choice = MakeSandbox(options);
    if (!choice.ok()) GTEST_SKIP() << choice.status();
    choice_ = *std::move(choice);
    dir_ = MakeTempDir();
    // bubblewrap's uid must be able to walk down to the job directory.
    std::filesystem::permissions(dir_, std::filesystem::perms::all);
  }

  JobResult Run(const JobSpec& spec) {
    absl::StatusOr<JobResult> result = choice_.sandbox->Run(spec);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : JobResult{};
  }

  SandboxChoice choice_;
  std::filesystem::path dir_;
};

TEST_P(JobWiringTest, InheritedDescriptorsArriveInOrderAndNothingElseDoes) {
  Pipe first, second;
  // A descriptor of the harness without close-on-exec must still not leak.
  const int stray = open("/dev/null", O_RDONLY);
  ASSERT_GE(stray, 0);
  JobSpec spec =
      ShellJob("echo one >&3; echo two >&4; ls /proc/self/fd | sort -n | tr '\\n' ' ' >&3", dir_);
  spec.inherit_fds = {first.fds[1], second.fds[1]};
  JobResult result = Run(spec);
  close(stray);
  first.CloseWrite();
  second.CloseWrite();
  EXPECT_EQ(result.outcome, Outcome::kOk) << result.output_tail;
  const std::string on_first = Drain(first.fds[0]);
  EXPECT_EQ(Drain(second.fds[0]), "two\n");
  // 0-2, 3 and 4, and the descriptor ls itself opens to read the directory.
  EXPECT_THAT(on_first, ::testing::StartsWith("one\n0 1 2 3 4 "));
  EXPECT_THAT(on_first, ::testing::Not(::testing::HasSubstr(" 6 ")));
}

TEST_P(JobWiringTest, DescriptorsAlreadyOnTargetNumbersAreNotClobbered) {
  Pipe a, b;
  // Put a's write end on the number b's must end up on, and vice versa.
  const int high_a = fcntl(a.fds[1], F_DUPFD_CLOEXEC, 100);
  const int high_b = fcntl(b.fds[1], F_DUPFD_CLOEXEC, 100);
  ASSERT_GE(high_a, 0);
  ASSERT_GE(high_b, 0);
  JobSpec spec = ShellJob("echo to-three >&3; echo to-four >&4", dir_);
  // Whatever numbers they hold, the first listed becomes 3.
  spec.inherit_fds = {high_b, high_a};
  JobResult result = Run(spec);
  close(high_a);
  close(high_b);
  a.CloseWrite();
  b.CloseWrite();
  EXPECT_EQ(result.outcome, Outcome::kOk) << result.output_tail;
  EXPECT_EQ(Drain(b.fds[0]), "to-three\n");
  EXPECT_EQ(Drain(a.fds[0]), "to-four\n");
}

// CPU seconds from an accounting file in `format`, read at offset 0.
double ReadCpuSeconds(int fd, const std::string& format) {
  char buffer[512] = {};
  const ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return -1;
  const std::string text(buffer, n);
  if (format == "cpu.stat") return std::stod(text.substr(text.find("usage_usec") + 11)) / 1e6;
  return std::stod(text) / 1e9;
}

TEST_P(JobWiringTest, OnStartSeesTheRunningJobAndItsCpuAccounting) {
  Pipe done, go;
  std::promise<StartedJob> started_promise;
  int calls = 0;
  // Busy, then says so and waits until the test has read its counter.
  JobSpec spec = ShellJob(
      "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo done >&3; read line <&4 || true",
      dir_);
  spec.inherit_fds = {done.fds[1], go.fds[0]};
  spec.on_start = [&](const StartedJob& started) {
    ++calls;
    started_promise.set_value(started);
  };
  double seconds = -1;
  StartedJob seen;
  std::thread reader([&] {
    seen = started_promise.get_future().get();
    const int fd = seen.cpu_usage_file.empty() ? -1 : open(seen.cpu_usage_file.c_str(), O_RDONLY);
    char line[8];
    (void)!read(done.fds[0], line, sizeof line);
    if (fd >= 0) seconds = ReadCpuSeconds(fd, seen.cpu_usage_format);
    if (fd >= 0) close(fd);
    go.CloseWrite();  // the job's read gets EOF and it ends
  });
  JobResult result = Run(spec);
  reader.join();
  EXPECT_EQ(result.outcome, Outcome::kOk) << result.output_tail;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen.pid, result.pid);
  if (!choice_.cgroups.starts_with("cgroup")) {
    EXPECT_TRUE(seen.cpu_usage_file.empty());
    GTEST_SKIP() << "no cgroups here: " << choice_.cgroups;
  }
  EXPECT_THAT(seen.cpu_usage_format, ::testing::AnyOf("cpuacct.usage", "cpu.stat"));
  // The shell's loop ran in the job's cgroup and was counted there.
  EXPECT_GT(seconds, 0.05) << seen.cpu_usage_file;
  EXPECT_LE(seconds, result.cpu_seconds + 0.05);
}

TEST_P(JobWiringTest, HiddenPathsAreEmptyUnderBubblewrapOnly) {
  const std::filesystem::path dir = "/usr/share/common-licenses";
  const std::filesystem::path file = "/etc/nsswitch.conf";
  if (!std::filesystem::is_directory(dir) || !std::filesystem::is_regular_file(file)) {
    GTEST_SKIP() << "needs " << dir << " and " << file;
  }
  std::string script =
      "echo files=$(ls " + dir.string() + " | wc -l) bytes=$(cat " + file.string() + " | wc -c)";
  // Only where the mask is a read-only mount: in process mode as root this
  // would write to the host.
  if (GetParam() == SandboxMode::kBwrap) {
    script += "; { echo x > " + dir.string() + "/planted; } 2>/dev/null; echo w=$?";
  }
  JobSpec spec = ShellJob(script, dir_);
  spec.hidden_paths = {dir, file, "/no/such/path"};
  JobResult result = Run(spec);
  EXPECT_EQ(result.outcome, Outcome::kOk) << result.output_tail;
  if (GetParam() == SandboxMode::kBwrap) {
    EXPECT_THAT(result.output_tail, ::testing::HasSubstr("files=0 bytes=0\nw=2"));
  } else {
    // Process mode hides nothing (docs/trust.md says so).
    EXPECT_THAT(result.output_tail, ::testing::Not(::testing::HasSubstr("files=0 ")));
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "planted"));
}

INSTANTIATE_TEST_SUITE_P(BothModes, JobWiringTest,
                         ::testing::Values(SandboxMode::kBwrap, SandboxMode::kProcess),
                         [](const ::testing::TestParamInfo<SandboxMode>& info) {
                           return std::string(SandboxModeName(info.param));
                         });

}  // namespace
}  // namespace cambrian::sandbox
