// GPU detection through a fake nvidia-smi on PATH, and the allocator.
#include "sandbox/gpu.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <thread>

#include "sandbox/bwrap_sandbox.h"
#include "sandbox/environment.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

using ::cambrian::sandbox::testing::MakeTempDir;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

constexpr char kList[] =
    "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-aaaa)\n"
    "GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-bbbb)\n"
    "  MIG 1g.10gb     Device  0: (UUID: MIG-cccc)\n"
    "GPU 2: NVIDIA A100-SXM4-40GB (UUID: GPU-dddd)\n"
    "GPU 3: Tesla T4 (UUID: GPU-eeee)\n";

// Puts a fake nvidia-smi printing `output` (exit `code`) first on PATH.
class FakeNvidiaSmi {
 public:
  FakeNvidiaSmi(const std::string& output, int code) : old_path_(getenv("PATH")) {
    const auto dir = MakeTempDir();
    std::ofstream(dir / "nvidia-smi") << "#!/bin/sh\ncat <<'EOF'\n"
                                      << output << "\nEOF\nexit " << code << "\n";
    std::filesystem::permissions(dir / "nvidia-smi", std::filesystem::perms::owner_all);
    setenv("PATH", (dir.string() + ":" + old_path_).c_str(), 1);
  }
  ~FakeNvidiaSmi() { setenv("PATH", old_path_.c_str(), 1); }

 private:
  std::string old_path_;
};

TEST(GpuTest, ParsesNvidiaSmiListSkippingMigLines) {
  std::vector<GpuInfo> gpus = ParseNvidiaSmiList(kList);
  ASSERT_EQ(gpus.size(), 4u);
  EXPECT_EQ(gpus[0].index, 0);
  EXPECT_EQ(gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(gpus[0].uuid, "GPU-aaaa");
  EXPECT_EQ(gpus[3].index, 3);
  EXPECT_EQ(gpus[3].name, "Tesla T4");
}

TEST(GpuTest, DetectsGpusThroughNvidiaSmiOnPath) {
  FakeNvidiaSmi fake(kList, 0);
  auto gpus = DetectGpus();
  ASSERT_TRUE(gpus.ok()) << gpus.status();
  EXPECT_EQ(gpus->size(), 4u);
}

TEST(GpuTest, FailingNvidiaSmiIsUnavailableWithItsMessage) {
  FakeNvidiaSmi fake("NVIDIA-SMI has failed because it couldn't communicate with the driver", 9);
  auto gpus = DetectGpus();
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(gpus.status().message()), ::testing::HasSubstr("driver"));
}

// Run without a shell: a path no quoting would survive works as is.
TEST(GpuTest, AnOddlyNamedNvidiaSmiPathIsRunAsIs) {
  const std::string dir = MakeTempDir().string() + "/it's $(here) `x`";
  ASSERT_TRUE(std::filesystem::create_directories(dir));
  {
    std::ofstream script(dir + "/nvidia-smi");
    script << "#!/bin/sh\necho 'GPU 0: Odd GPU (UUID: GPU-odd)'\n";
  }
  std::filesystem::permissions(dir + "/nvidia-smi", std::filesystem::perms::owner_all);
  auto gpus = DetectGpus(dir + "/nvidia-smi");
  ASSERT_TRUE(gpus.ok()) << gpus.status();
  ASSERT_EQ(gpus->size(), 1u);
  EXPECT_EQ((*gpus)[0].name, "Odd GPU");
}

TEST(GpuTest, NoNvidiaSmiMeansNoGpus) {
  auto gpus = DetectGpus("/nonexistent/nvidia-smi");
  ASSERT_TRUE(gpus.ok());
  EXPECT_TRUE(gpus->empty());
}

TEST(GpuAllocatorTest, NeverHandsOneGpuToTwoLeases) {
  GpuAllocator allocator({0, 1, 2, 3}, /*allow_sharing=*/false);
  auto a = allocator.TryAcquire(2);
  auto b = allocator.TryAcquire(2);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(a->gpus(), ElementsAre(0, 1));
  EXPECT_THAT(b->gpus(), ElementsAre(2, 3));
  EXPECT_EQ(allocator.TryAcquire(1).status().code(), absl::StatusCode::kUnavailable);
  *a = GpuAllocator::Lease();  // gives 0 and 1 back
  auto c = allocator.TryAcquire(1);
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(c->gpus(), ElementsAre(0));
  EXPECT_EQ(allocator.TryAcquire(5).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(GpuAllocatorTest, SharingSpreadsOverTheLeastUsed) {
  GpuAllocator allocator({4, 7}, /*allow_sharing=*/true);
  auto a = allocator.TryAcquire(1), b = allocator.TryAcquire(1), c = allocator.TryAcquire(1);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_THAT(a->gpus(), ElementsAre(4));
  EXPECT_THAT(b->gpus(), ElementsAre(7));
  EXPECT_EQ(c->gpus().size(), 1u);
}

TEST(GpuAllocatorTest, ConcurrentJobsNeverOverlap) {
  GpuAllocator allocator({0, 1, 2}, false);
  std::atomic<int> holders[3] = {0, 0, 0};
  std::atomic<bool> overlap{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto lease = allocator.Acquire(1);
        ASSERT_TRUE(lease.ok());
        const int gpu = lease->gpus()[0];
        if (holders[gpu].fetch_add(1) != 0) overlap = true;
        std::this_thread::yield();
        holders[gpu].fetch_sub(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_FALSE(overlap);
}

TEST(GpuAllocatorTest, AcquireGivesUpWhenCancelled) {
  GpuAllocator allocator({0}, false);
  auto held = allocator.TryAcquire(1);
  std::atomic<bool> cancel{true};
  EXPECT_EQ(allocator.Acquire(1, &cancel).status().code(), absl::StatusCode::kCancelled);
}

TEST(GpuEnvironmentTest, JobSeesExactlyItsGpus) {
  std::map<std::string, std::string> env;
  SetGpuEnvironment({1, 3}, &env);
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "1,3");
  SetGpuEnvironment({}, &env);
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "");
}

TEST(GpuEnvironmentTest, BwrapExposesOnlyTheJobsDeviceNodes) {
  JobSpec spec;
  spec.argv = {"/bin/true"};
  spec.work_dir = "/tmp/job";
  spec.gpus = std::vector<int>{2};
  std::vector<std::string> command = BwrapCommand(spec, BwrapOptions{}, false);
  EXPECT_THAT(command, Contains("/dev/nvidia2"));
  EXPECT_THAT(command, Contains("/dev/nvidiactl"));
  EXPECT_THAT(command, Not(Contains("/dev/nvidia0")));
  EXPECT_THAT(command, Contains("CUDA_VISIBLE_DEVICES"));
  spec.gpus.reset();
  EXPECT_THAT(BwrapCommand(spec, BwrapOptions{}, false), Not(Contains("/dev/nvidiactl")));
}

}  // namespace
}  // namespace cambrian::sandbox
