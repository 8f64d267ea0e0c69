// The hostile suite run directly against the sandbox, in both modes: each
// case of tests/hostile/task/harness/cases is a real program; the test checks
// its outcome, whether the attack worked (its own report and what the host
// sees), and prints the table docs/sandbox.md shows.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/file_util.h"
#include "sandbox/sandbox_factory.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;
using ::cambrian::sandbox::testing::MakeTempDir;

constexpr char kSecret[] = "sk-cambrian-hostile-canary";

// What a case must give. `breaks_process_mode`: the attack is expected to
// work in process mode (no isolation there); `skip_process`: it would hurt
// the test itself in process mode (kills its parent); `known_hole`: it may
// work in both modes, a documented limit (docs/sandbox.md).
struct Case {
  const char* name;
  Outcome outcome;
  bool breaks_process_mode = false;
  bool skip_process = false;
  bool known_hole = false;
};

const Case kCases[] = {
    {"fork_bomb", Outcome::kProcessLimit},
    {"infinite_loop", Outcome::kTimeout},
    {"sleep_forever", Outcome::kTimeout},
    {"memory_hog", Outcome::kMemoryLimit},
    {"daemonize", Outcome::kOk},
    {"output_flood", Outcome::kOutputLimit},
    {"disk_fill", Outcome::kDiskLimit},
    {"network", Outcome::kOk, true},
    {"env_key", Outcome::kOk},
    {"parent_environ", Outcome::kOk, true},
    {"controller_files", Outcome::kOk, true},
    {"home_files", Outcome::kOk, true},
    {"write_outside", Outcome::kOk, true},
    {"tamper_trusted", Outcome::kOk, true},
    {"kill_controller", Outcome::kOk, false, true},
    {"raise_rlimits", Outcome::kOk, true},
    {"deep_path_fill", Outcome::kDiskLimit},
    {"unreadable_dir_fill", Outcome::kDiskLimit},
    {"inode_flood", Outcome::kInodeLimit},
    {"userns", Outcome::kOk, true},
    {"tmp_write", Outcome::kOk, true},
    {"cpus", Outcome::kOk},
    {"mountinfo", Outcome::kOk, true, false, true},
};

// A loopback server that greets every connection, for the network case.
class GreetingServer {
 public:
  GreetingServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), len);
    listen(fd_, 16);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        int client = accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        (void)!write(client, "hello\n", 6);
        close(client);
      }
    });
  }
  ~GreetingServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

struct Observed {
  Outcome outcome = Outcome::kOk;
  bool breach = false;
  std::string note;
};

// Live processes running `sleep MARKER`.
bool MarkerAlive(const std::string& marker) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline != std::string("sleep\0", 6) + marker + '\0') continue;
    char state = 0;
    long group = 0;
    if (testing::ReadProcStat(entry.path(), &state, &group) && testing::IsLive(state)) return true;
  }
  return false;
}

class HostileTest : public ::testing::TestWithParam<std::tuple<SandboxMode, Case>> {
 protected:
  static void SetUpTestSuite() {
    setenv("OPENAI_API_KEY", kSecret, 1);  // what the controller would hold
    server_ = new GreetingServer();
    // setenv does not show in /proc/self/environ: a stand-in controller
    // process holds the key in its initial environment.
    holder_ = fork();
    if (holder_ == 0) {
      char key[] = "OPENAI_API_KEY=sk-cambrian-hostile-canary";
      char* envp[] = {key, nullptr};
      char* argv[] = {const_cast<char*>("/bin/sleep"), const_cast<char*>("600"), nullptr};
      execve("/bin/sleep", argv, envp);
      _exit(127);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    kill(holder_, SIGKILL);
    waitpid(holder_, nullptr, 0);
    std::cout << "\nhostile suite (sandbox level)\n"
              << absl::StrFormat("%-8s %-20s %-22s %s\n", "mode", "case", "expected", "observed")
              << table_;
  }

  Observed RunCase(Sandbox& sandbox, const Case& c) {
    const fs::path root = MakeTempDir();
    const fs::path run = root / "run", job = run / "jobs" / "c1", out = run / "jobs" / "c1.out";
    fs::create_directories(out / "run");
    fs::create_directories(run / "jobs" / "c2");
    fs::create_directories(job / ".cambrian-tmp");
    EXPECT_TRUE(WriteFile(run / "cambrian.db", kSecret).ok());
    const fs::path trusted = root / "trusted";
    fs::copy(fs::path(CAMBRIAN_SOURCE_DIR) / "tests/hostile/task/harness", trusted,
             fs::copy_options::recursive);
    const std::string trusted_hash = *HashTree(trusted);
    const std::string marker = absl::StrCat(900000 + getpid() % 90000);

    JobSpec spec;
    spec.argv = {"/bin/sh", (trusted / "cases" / absl::StrCat(c.name, ".sh")).string()};
    spec.work_dir = job;
    spec.env = JobEnvironment({{"CAMBRIAN_OUT", (out / "run").string()},
                               {"CAMBRIAN_TRUSTED", trusted.string()},
                               {"CAMBRIAN_JOB_DIR", job.string()},
                               {"HOME", job.string()},
                               {"TMPDIR", (job / ".cambrian-tmp").string()},
                               {"HOSTILE_PORT", absl::StrCat(server_->port())},
                               {"HOSTILE_MARKER", marker},
                               {"HOSTILE_MEMORY", absl::StrCat(int64_t{128} << 20)}});
    spec.limits.wall_timeout = absl::Seconds(4);
    spec.limits.memory_bytes = int64_t{128} << 20;
    spec.limits.max_processes = 64;
    spec.limits.disk_bytes = int64_t{16} << 20;
    spec.limits.output_bytes = int64_t{1} << 20;
    spec.limits.file_size_bytes = int64_t{64} << 20;
    spec.limits.max_inodes = 500;
    spec.limits.cpus = 1;
    spec.read_only_paths = {trusted};
    spec.writable_paths = {out};
    absl::StatusOr<JobResult> result = sandbox.Run(spec);
    EXPECT_TRUE(result.ok()) << result.status();
    Observed observed;
    if (!result.ok()) return observed;
    observed.outcome = result->outcome;
    absl::StatusOr<std::string> report = ReadFile(out / "run" / "metrics.json");
    observed.breach = report.ok() && report->find("\"breach\": 1") != std::string::npos;
    // What the host sees, whatever the job reported.
    if (MarkerAlive(marker)) observed.note += " daemon survived";
    if (fs::exists(run / "jobs" / ("outside-" + marker)) ||
        fs::exists("/tmp/cambrian-hostile-" + marker)) {
      observed.note += " wrote outside";
      fs::remove("/tmp/cambrian-hostile-" + marker);
    }
    if (*HashTree(trusted) != trusted_hash) observed.note += " trusted files changed";
    // What the job left, however deep or unreadable, can be removed.
    std::error_code ec;
    fs::remove_all(run, ec);
    if (ec || fs::exists(run)) observed.note += " left on host";
    if (!observed.note.empty()) observed.breach = true;
    return observed;
  }

  static void Record(SandboxMode mode, const Case& c, const std::string& expected,
                     const Observed& observed) {
    const std::string seen =
        expected == "skipped"
            ? "not run"
            : absl::StrCat(std::string(OutcomeName(observed.outcome)),
                           observed.breach ? " BREACH" : " contained", observed.note);
    table_ +=
        absl::StrFormat("%-8s %-20s %-22s %s\n", SandboxModeName(mode), c.name, expected, seen);
  }

  static GreetingServer* server_;
  static pid_t holder_;
  static std::string table_;
};

GreetingServer* HostileTest::server_ = nullptr;
pid_t HostileTest::holder_ = -1;
std::string HostileTest::table_;

TEST_P(HostileTest, IsContained) {
  const auto& [mode, c] = GetParam();
  if (mode == SandboxMode::kProcess && c.skip_process) {
    Record(mode, c, "skipped", Observed{});
    GTEST_SKIP() << c.name << " would kill the test itself in process mode";
  }
  SandboxOptions options;
  options.mode = mode;
  absl::StatusOr<SandboxChoice> choice = MakeSandbox(options);
  if (!choice.ok()) GTEST_SKIP() << choice.status();
  const bool isolating = mode == SandboxMode::kBwrap;
  // Without cgroups there is no process cap, and only bubblewrap's PID
  // namespace catches a daemon that left the process group.
  if (!choice->cgroups.starts_with("cgroup") &&
      (c.outcome == Outcome::kProcessLimit || (!isolating && std::string(c.name) == "daemonize"))) {
    GTEST_SKIP() << "needs cgroups: " << choice->cgroups;
  }
  const Observed observed = RunCase(*choice->sandbox, c);
  const bool expect_breach = !isolating && c.breaks_process_mode && geteuid() == 0;
  const std::string expected = absl::StrCat(std::string(OutcomeName(c.outcome)),
                                            expect_breach || c.known_hole ? " (may breach)" : "");
  Record(mode, c, expected, observed);
  EXPECT_EQ(observed.outcome, c.outcome) << c.name << observed.note;
  if ((isolating || !c.breaks_process_mode) && !c.known_hole) {
    EXPECT_FALSE(observed.breach) << c.name << " got out:" << observed.note;
  }
}

std::string CaseName(const ::testing::TestParamInfo<std::tuple<SandboxMode, Case>>& info) {
  return absl::StrCat(std::string(SandboxModeName(std::get<0>(info.param))), "_",
                      std::get<1>(info.param).name);
}

INSTANTIATE_TEST_SUITE_P(BothModes, HostileTest,
                         ::testing::Combine(::testing::Values(SandboxMode::kBwrap,
                                                              SandboxMode::kProcess),
                                            ::testing::ValuesIn(kCases)),
                         CaseName);

}  // namespace
}  // namespace cambrian::sandbox
