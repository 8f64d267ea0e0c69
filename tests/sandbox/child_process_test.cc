#include "sandbox/child_process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/sandbox/sandbox_test_util.h"

namespace cambrian::sandbox {
namespace {

using ::cambrian::sandbox::testing::MakeTempDir;
namespace fs = std::filesystem;

void MakeFile(const fs::path& path, fs::perms perms) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "#!/bin/sh\n";
  fs::permissions(path, perms);
}

TEST(ResolveCommandTest, SearchesPathInOrderAndSkipsNonExecutables) {
  const fs::path dir = MakeTempDir();
  MakeFile(dir / "a" / "tool", fs::perms::owner_read | fs::perms::owner_write);
  MakeFile(dir / "b" / "tool", fs::perms::owner_all);
  MakeFile(dir / "c" / "tool", fs::perms::owner_all);
  fs::create_directories(dir / "d" / "tool");  // a directory is not a command
  const std::string path = (dir / "d").string() + ":" + (dir / "a").string() + ":" +
                           (dir / "b").string() + ":" + (dir / "c").string();
  EXPECT_EQ(ResolveCommand("tool", path, "/"), (dir / "b" / "tool").string());
}

TEST(ResolveCommandTest, RelativeAndEmptyEntriesAreRelativeToWorkDir) {
  const fs::path dir = MakeTempDir();
  MakeFile(dir / "bin" / "tool", fs::perms::owner_all);
  MakeFile(dir / "here", fs::perms::owner_all);
  EXPECT_EQ(ResolveCommand("tool", "/nonexistent:bin", dir), (dir / "bin" / "tool").string());
  EXPECT_EQ(ResolveCommand("here", "/nonexistent:", dir), (dir / "." / "here").string());
}

TEST(ResolveCommandTest, CommandsWithSlashAreTakenAsIs) {
  EXPECT_EQ(ResolveCommand("./bench", "/usr/bin", "/"), "./bench");
  EXPECT_EQ(ResolveCommand("/bin/sh", "", "/"), "/bin/sh");
}

TEST(ResolveCommandTest, NotFound) {
  EXPECT_EQ(ResolveCommand("cambrian-no-such-command", "/usr/bin:/bin", "/"), "");
  EXPECT_EQ(ResolveCommand("", "/usr/bin:/bin", "/"), "");
}

}  // namespace
}  // namespace cambrian::sandbox
