#include "cpu_meter.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

std::optional<int64_t> Parse(const std::string& text, CpuFormat format) {
  std::string error;
  std::optional<int64_t> ns = ParseCpuUsage(text, format, &error);
  if (!ns) {
    EXPECT_FALSE(error.empty());
  }
  return ns;
}

TEST(CpuMeterTest, ParsesCpuacctUsageNanoseconds) {
  EXPECT_EQ(Parse("123456789\n", CpuFormat::kCpuacctUsage), 123456789);
  EXPECT_EQ(Parse("0", CpuFormat::kCpuacctUsage), 0);
  EXPECT_FALSE(Parse("", CpuFormat::kCpuacctUsage));
  EXPECT_FALSE(Parse("-5\n", CpuFormat::kCpuacctUsage));
  EXPECT_FALSE(Parse("12 34\n", CpuFormat::kCpuacctUsage));
  EXPECT_FALSE(Parse("99999999999999999999999\n", CpuFormat::kCpuacctUsage));
}

TEST(CpuMeterTest, ParsesCpuStatMicroseconds) {
  EXPECT_EQ(Parse("usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n", CpuFormat::kCpuStat),
            1'500'000);
  EXPECT_EQ(Parse("user_usec 1\nusage_usec 7\n", CpuFormat::kCpuStat), 7000);
  EXPECT_FALSE(Parse("user_usec 1\n", CpuFormat::kCpuStat));
  EXPECT_FALSE(Parse("usage_usec x\n", CpuFormat::kCpuStat));
  EXPECT_FALSE(Parse("usage_usec 5 6\n", CpuFormat::kCpuStat));
  EXPECT_FALSE(Parse("usage_usec 99999999999999999\n", CpuFormat::kCpuStat));
}

TEST(CpuMeterTest, FormatNames) {
  EXPECT_EQ(ParseCpuFormat("cpuacct.usage"), CpuFormat::kCpuacctUsage);
  EXPECT_EQ(ParseCpuFormat("cpu.stat"), CpuFormat::kCpuStat);
  EXPECT_FALSE(ParseCpuFormat("cpu.max"));
}

// pread at offset 0 on every read: a rewritten file is read afresh, as a
// cgroup file is regenerated on every read.
TEST(CpuMeterTest, FdMeterRereadsFromTheStart) {
  char path[] = "/tmp/cpu_meter_testXXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "100\n", 4), 4);
  FdCpuMeter meter(UniqueFd(open(path, O_RDONLY)), CpuFormat::kCpuacctUsage);
  std::string error;
  EXPECT_EQ(meter.ReadNs(&error), 100);
  EXPECT_EQ(meter.ReadNs(&error), 100);
  ASSERT_EQ(pwrite(fd, "250\n", 4, 0), 4);
  EXPECT_EQ(meter.ReadNs(&error), 250);
  close(fd);
  unlink(path);
}

TEST(CpuMeterTest, FromEnv) {
  std::string error;
  unsetenv("CAMBRIAN_WORKER_CPU_FD");
  EXPECT_EQ(CpuMeterFromEnv(&error), nullptr);
  EXPECT_TRUE(error.empty());
  setenv("CAMBRIAN_WORKER_CPU_FD", "987654", 1);
  setenv("CAMBRIAN_WORKER_CPU_FORMAT", "cpuacct.usage", 1);
  EXPECT_EQ(CpuMeterFromEnv(&error), nullptr);
  EXPECT_FALSE(error.empty());
  char path[] = "/tmp/cpu_meter_envXXXXXX";
  const int fd = mkstemp(path);
  ASSERT_EQ(write(fd, "usage_usec 3\n", 13), 13);
  setenv("CAMBRIAN_WORKER_CPU_FD", std::to_string(fd).c_str(), 1);
  setenv("CAMBRIAN_WORKER_CPU_FORMAT", "cpu.stat", 1);
  std::unique_ptr<CpuMeter> meter = CpuMeterFromEnv(&error);
  ASSERT_NE(meter, nullptr) << error;
  EXPECT_EQ(meter->ReadNs(&error), 3000);
  meter.reset();  // closes fd
  unsetenv("CAMBRIAN_WORKER_CPU_FD");
  unsetenv("CAMBRIAN_WORKER_CPU_FORMAT");
  unlink(path);
}

}  // namespace
}  // namespace cambrian::kernels
