#include "sandbox/disk_usage.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "common/file_util.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

namespace fs = std::filesystem;
using ::cambrian::sandbox::testing::MakeTempDir;

constexpr int64_t kMiB = int64_t{1} << 20;

// Writes `bytes` of data into `name` below the directory open at `dir`.
void WriteAt(int dir, const char* name, int64_t bytes) {
  int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const std::string chunk(1 << 16, 'x');
  for (int64_t done = 0; done < bytes; done += static_cast<int64_t>(chunk.size())) {
    ASSERT_EQ(write(fd, chunk.data(), chunk.size()), static_cast<ssize_t>(chunk.size()));
  }
  close(fd);
}

// A chain of `depth` directories with 200-character names below `root`,
// `bytes` in a file at its bottom; returns the chain's path length.
size_t MakeDeepChain(const fs::path& root, int depth, int64_t bytes) {
  const std::string name(200, 'd');
  int fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (int i = 0; i < depth; ++i) {
    mkdirat(fd, name.c_str(), 0755);
    int next = openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(fd);
    fd = next;
  }
  WriteAt(fd, "data", bytes);
  close(fd);
  return root.string().size() + static_cast<size_t>(depth) * (name.size() + 1);
}

TEST(DiskUsageTest, CountsBytesAndEntries) {
  const fs::path root = MakeTempDir();
  fs::create_directories(root / "a" / "b");
  int fd = open((root / "a" / "b").c_str(), O_RDONLY | O_DIRECTORY);
  WriteAt(fd, "f", kMiB);
  close(fd);
  const DiskUsage usage = MeasureDiskUsage({root}, {});
  EXPECT_TRUE(usage.unmeasured.empty()) << usage.unmeasured;
  EXPECT_GE(usage.bytes, kMiB);
  EXPECT_EQ(usage.inodes, 4);  // root, a, b, f
  fs::remove_all(root);
}

TEST(DiskUsageTest, CountsBelowPathMax) {
  const fs::path root = MakeTempDir();
  ASSERT_GT(MakeDeepChain(root, 40, 4 * kMiB), static_cast<size_t>(PATH_MAX));
  const DiskUsage usage = MeasureDiskUsage({root}, {});
  EXPECT_TRUE(usage.unmeasured.empty()) << usage.unmeasured;
  EXPECT_GE(usage.bytes, 4 * kMiB);
  EXPECT_EQ(usage.inodes, 42);
  fs::remove_all(root);
  EXPECT_FALSE(fs::exists(root));
}

TEST(DiskUsageTest, StopsAtTheCaps) {
  const fs::path root = MakeTempDir();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(WriteFile(root / std::to_string(i), "").ok());
  const DiskUsage usage = MeasureDiskUsage({root}, {.bytes = 0, .inodes = 10});
  EXPECT_EQ(usage.inodes, 11);
  fs::remove_all(root);
}

TEST(DiskUsageTest, CountsLinksWithoutFollowing) {
  const fs::path root = MakeTempDir();
  fs::create_directory_symlink("/usr", root / "usr");
  const DiskUsage usage = MeasureDiskUsage({root}, {});
  EXPECT_EQ(usage.inodes, 2);
  EXPECT_LT(usage.bytes, kMiB);
  fs::remove_all(root);
}

TEST(DiskUsageTest, MissingRootCountsNothing) {
  const DiskUsage usage = MeasureDiskUsage({"/nonexistent/cambrian-disk-usage"}, {});
  EXPECT_EQ(usage.inodes, 0);
  EXPECT_TRUE(usage.unmeasured.empty());
}

// As an unprivileged owner (the controller not root): a directory the job
// made unreadable is opened after adding its owner's rwx, so its data
// counts, and the whole tree can be removed afterwards.
TEST(DiskUsageTest, UnreadableDirectoryOfItsOwnerIsCountedAndRemovable) {
  const fs::path root = MakeTempDir();
  pid_t child = fork();
  if (child == 0) {
    if (geteuid() == 0 &&
        (chown(root.c_str(), 65534, 65534) != 0 || setgid(65534) != 0 || setuid(65534) != 0)) {
      _exit(10);
    }
    mkdir((root / "locked").c_str(), 0755);
    MakeDeepChain(root / "locked", 25, 2 * kMiB);
    chmod((root / "locked").c_str(), 0);
    const DiskUsage usage = MeasureDiskUsage({root}, {});
    if (!usage.unmeasured.empty() || usage.bytes < 2 * kMiB) _exit(11);
    chmod((root / "locked").c_str(), 0);
    MakeDirectoriesRemovable({root});
    std::error_code ec;
    fs::remove_all(root / "locked", ec);
    _exit(ec || fs::exists(root / "locked") ? 12 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: cannot drop root, 11: not counted, 12: not removed";
  fs::remove_all(root);
}

}  // namespace
}  // namespace cambrian::sandbox
