#include "common/file_util.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace cambrian {
namespace {
namespace fs = std::filesystem;

fs::path FreshDir(const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(FileUtilTest, WriteThenReadRoundTrips) {
  fs::path dir = FreshDir("file_util_roundtrip");
  ASSERT_TRUE(WriteFile(dir / "sub" / "x.txt", "hello\n").ok());
  auto content = ReadFile(dir / "sub" / "x.txt");
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "hello\n");
}

TEST(FileUtilTest, ReadMissingFileNamesThePath) {
  auto content = ReadFile("/nonexistent/cambrian.txt");
  ASSERT_FALSE(content.ok());
  EXPECT_NE(content.status().message().find("/nonexistent/cambrian.txt"), std::string::npos);
}

TEST(FileUtilTest, ProgramTreeRoundTrips) {
  fs::path dir = FreshDir("file_util_tree");
  Program program = {{"main.cc", "int main() {}\n"}, {"lib/util.h", "#pragma once\n"}};
  ASSERT_TRUE(WriteProgramTree(dir, program).ok());
  auto read = ReadProgramTree(dir);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, program);
}

TEST(FileUtilTest, RejectsEscapingPaths) {
  fs::path dir = FreshDir("file_util_escape");
  EXPECT_FALSE(WriteProgramTree(dir, {{"../evil", "x"}}).ok());
  EXPECT_FALSE(WriteProgramTree(dir, {{"/etc/evil", "x"}}).ok());
  EXPECT_FALSE(WriteProgramTree(dir, {{"a/../../evil", "x"}}).ok());
  EXPECT_FALSE(fs::exists(dir.parent_path() / "evil"));
  EXPECT_TRUE(IsSafeRelativePath("a/b.cc"));
  EXPECT_FALSE(IsSafeRelativePath("a//b"));
}

TEST(FileUtilTest, SymlinksInAProgramTreeAreRejected) {
  fs::path dir = FreshDir("file_util_symlink");
  ASSERT_TRUE(WriteFile(dir / "real.txt", "x").ok());
  fs::create_symlink("/etc/passwd", dir / "link");
  EXPECT_FALSE(ReadProgramTree(dir).ok());
}

TEST(FileUtilTest, HashTreeChangesWithContent) {
  fs::path dir = FreshDir("file_util_hash");
  ASSERT_TRUE(WriteFile(dir / "a", "1").ok());
  auto before = HashTree(dir);
  ASSERT_TRUE(WriteFile(dir / "a", "2").ok());
  auto after = HashTree(dir);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_NE(*before, *after);
}

}  // namespace
}  // namespace cambrian
