// What a call is charged: the worker's CPU over the call and its tail, read
// from a meter. First with a meter the test drives (a counter in memory
// shared with the forked worker), then, where the machine allows, with a
// real cgroup CPU accounting file and a worker that spins after DONE.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "forked_peer.h"
#include "gtest/gtest.h"
#include "judge_session.h"
#include "worker.h"

namespace cambrian::kernels {
namespace {

using testing::ForkedPeer;

constexpr int64_t kMs = 1'000'000;

// Counters in memory shared across fork.
struct Shared {
  std::atomic<int64_t> cpu_ns{0};
  std::atomic<int> tails_done{0};
};

Shared* MakeShared() {
  void* memory =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  return memory == MAP_FAILED ? nullptr : new (memory) Shared();
}

class CounterMeter : public CpuMeter {
 public:
  explicit CounterMeter(Shared* shared) : shared_(shared) {}
  std::optional<int64_t> ReadNs(std::string*) override { return shared_->cpu_ns.load(); }

 private:
  Shared* shared_;
};

bool WaitFor(const std::function<bool()>& done, int timeout_ms = 10000) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

CallSpec EmptyCall() {
  CallSpec spec;
  spec.args.op = 1;
  return spec;
}

// The session reads the meter before prepare (opening the call) and again
// before the next call's prepare (closing the tail): "CPU" the worker adds
// after DONE goes to the call it answered, "CPU" spent while the inputs are
// being written goes to the call they belong to.
TEST(JudgeChargeTest, MeterReadingsBracketEachCallAndItsTail) {
  Shared* shared = MakeShared();
  ASSERT_NE(shared, nullptr);
  ForkedPeer worker([shared](UniqueFd fd) {
    std::string error;
    return RunWorker(
        std::move(fd), {},
        [shared](const WorkerCall&, const WorkerMemory&) {
          shared->cpu_ns += 1 * kMs;  // the call itself
          std::thread([shared] {      // deferred work, after DONE
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            shared->cpu_ns += 50 * kMs;
            shared->tails_done += 1;
          })
              .detach();
          return WorkerReply::Done();
        },
        &error);
  });
  JudgeSession session(worker.TakeSocket(), std::make_unique<CounterMeter>(shared));
  Declarations hello;
  ASSERT_FALSE(session.AwaitHello(10000, &hello));
  ASSERT_FALSE(session.ShareMemory(64, 64));
  ASSERT_FALSE(session.Call(EmptyCall()).fault);
  ASSERT_TRUE(WaitFor([&] { return shared->tails_done == 1; }));
  CallSpec second = EmptyCall();
  second.prepare = [shared](std::span<std::byte>, std::span<std::byte>) {
    shared->cpu_ns += 7 * kMs;  // a worker racing ahead on inputs as they appear
  };
  ASSERT_FALSE(session.Call(second).fault);
  ASSERT_TRUE(WaitFor([&] { return shared->tails_done == 2; }));
  ASSERT_FALSE(session.Finish());
  ASSERT_TRUE(session.metered());
  const auto& calls = session.timer().calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].cpu_ns, 51 * kMs);
  EXPECT_EQ(calls[1].cpu_ns, 58 * kMs);
  EXPECT_GE(calls[0].charged_ns(), 51 * kMs);
  munmap(shared, sizeof(Shared));
}

// A fresh cgroup with CPU accounting, removed (after killing its members)
// when the test ends. Empty path when this machine does not allow one.
class TestCgroup {
 public:
  TestCgroup() {
    const std::string name = "cambrian-kernels-test-" + std::to_string(getpid());
    for (auto [parent, file] : {std::pair{"/sys/fs/cgroup/cpuacct", "cpuacct.usage"},
                                std::pair{"/sys/fs/cgroup", "cpu.stat"}}) {
      std::error_code ec;
      if (!std::filesystem::exists(std::string(parent) + "/" + file, ec)) continue;
      const std::filesystem::path dir = std::filesystem::path(parent) / name;
      if (!std::filesystem::create_directory(dir, ec) || ec) continue;
      dir_ = dir;
      meter_file_ = dir / file;
      format_ = std::string(file) == "cpu.stat" ? CpuFormat::kCpuStat : CpuFormat::kCpuacctUsage;
      return;
    }
  }
  ~TestCgroup() {
    for (int i = 0; i < 200 && !dir_.empty(); ++i) {
      std::ifstream procs(dir_ / "cgroup.procs");
      for (int pid; procs >> pid;) kill(pid, SIGKILL);
      if (rmdir(dir_.c_str()) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  bool ok() const { return !dir_.empty(); }
  // Moves the calling process in; false if that fails.
  bool Join() const {
    std::ofstream procs(dir_ / "cgroup.procs");
    procs << 0 << std::flush;
    return procs.good();
  }
  std::unique_ptr<CpuMeter> Meter() const {
    return std::make_unique<FdCpuMeter>(UniqueFd(open(meter_file_.c_str(), O_RDONLY | O_CLOEXEC)),
                                        format_);
  }

 private:
  std::filesystem::path dir_, meter_file_;
  CpuFormat format_ = CpuFormat::kCpuacctUsage;
};

int64_t ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

TEST(JudgeChargeTest, RealCgroupChargesABackgroundThreadThatSpinsAfterDone) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to make a cgroup";
  TestCgroup cgroup;
  if (!cgroup.ok()) GTEST_SKIP() << "no writable cgroup v1 cpuacct or v2 hierarchy";
  Shared* shared = MakeShared();
  ASSERT_NE(shared, nullptr);
  ForkedPeer worker([&cgroup, shared](UniqueFd fd) {
    if (!cgroup.Join()) return 9;
    std::string error;
    return RunWorker(
        std::move(fd), {},
        [shared](const WorkerCall&, const WorkerMemory&) {
          std::thread([shared] {  // answers at once, then burns 300 ms of CPU
            const int64_t start = ThreadCpuNs();
            while (ThreadCpuNs() - start < 300 * kMs) {
            }
            shared->tails_done += 1;
          })
              .detach();
          return WorkerReply::Done();
        },
        &error);
  });
  JudgeSession session(worker.TakeSocket(), cgroup.Meter());
  Declarations hello;
  ASSERT_FALSE(session.AwaitHello(10000, &hello));
  ASSERT_FALSE(session.ShareMemory(64, 64));
  ASSERT_FALSE(session.Call(EmptyCall()).fault);
  ASSERT_TRUE(WaitFor([&] { return shared->tails_done == 1; }, 60000));
  ASSERT_FALSE(session.Finish());
  const CallCharge& call = session.timer().calls()[0];
  EXPECT_GE(call.cpu_ns, 280 * kMs);
  EXPECT_GE(call.charged_ns(), 280 * kMs);
  munmap(shared, sizeof(Shared));
}

// Cambrian removes the worker job's cgroup as soon as its main process
// exits, and the meter then reads ENODEV: that is the worker gone, not a
// broken judge (a worker that exits before its first call must not make the
// judge fail instead of reporting it).
class GoneMeter : public CpuMeter {
 public:
  std::optional<int64_t> ReadNs(std::string* error) override {
    *error = "reading the worker CPU meter: No such device";
    return std::nullopt;
  }
  bool WorkerGone() const override { return true; }
};

TEST(JudgeChargeTest, AMeterThatVanishedIsTheWorkerGone) {
  ForkedPeer worker([](UniqueFd fd) {
    std::string error;
    return RunWorker(
        std::move(fd), {},
        [](const WorkerCall&, const WorkerMemory&) { return WorkerReply::Done(); }, &error);
  });
  JudgeSession session(worker.TakeSocket(), std::make_unique<GoneMeter>());
  Declarations hello;
  ASSERT_FALSE(session.AwaitHello(10000, &hello));
  ASSERT_FALSE(session.ShareMemory(64, 64));
  CallResult result = session.Call(EmptyCall());
  ASSERT_TRUE(result.fault.has_value());
  EXPECT_EQ(result.fault->kind, FaultKind::kWorkerGone) << result.fault->reason;
}

TEST(JudgeChargeTest, FromEnvAcceptsAMeterWhoseWorkerIsAlreadyGone) {
  // A descriptor whose reads fail with ENODEV: a removed cgroup file where
  // the machine has one, else skip (ENOENT/ENODEV cannot be faked on a file).
  const std::filesystem::path parent = "/sys/fs/cgroup/cpuacct";
  const std::filesystem::path dir = parent / ("kernels-test-" + std::to_string(getpid()));
  std::error_code ec;
  if (!std::filesystem::create_directory(dir, ec))
    GTEST_SKIP() << "needs root and cgroup v1 cpuacct";
  const int fd = open((dir / "cpuacct.usage").c_str(), O_RDONLY);
  std::filesystem::remove(dir, ec);
  ASSERT_GE(fd, 0);
  setenv("CAMBRIAN_WORKER_CPU_FD", std::to_string(fd).c_str(), 1);
  setenv("CAMBRIAN_WORKER_CPU_FORMAT", "cpuacct.usage", 1);
  std::string error;
  std::unique_ptr<CpuMeter> meter = CpuMeterFromEnv(&error);
  unsetenv("CAMBRIAN_WORKER_CPU_FD");
  unsetenv("CAMBRIAN_WORKER_CPU_FORMAT");
  ASSERT_NE(meter, nullptr) << error;
  EXPECT_FALSE(meter->ReadNs(&error).has_value());
  EXPECT_TRUE(meter->WorkerGone()) << error;
}

}  // namespace
}  // namespace cambrian::kernels
