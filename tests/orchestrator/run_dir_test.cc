#include "orchestrator/run_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"

namespace cambrian::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fresh directory for one test, removed again afterwards.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::path(::testing::TempDir()) /
              ("orch_run_dir_" + std::to_string(getpid()) + "_" + name)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs the test body in `dir` and restores the working directory afterwards.
class ScopedCwd {
 public:
  explicit ScopedCwd(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() { fs::current_path(saved_); }

 private:
  fs::path saved_;
};

TEST(PathsForTest, Layout) {
  RunPaths paths = PathsFor("/x/runs/r1");
  EXPECT_EQ(paths.dir, fs::path("/x/runs/r1"));
  EXPECT_EQ(paths.db, fs::path("/x/runs/r1/cambrian.db"));
  EXPECT_EQ(paths.jobs, fs::path("/x/runs/r1/jobs"));
  EXPECT_EQ(paths.replays, fs::path("/x/runs/r1/replays"));
  EXPECT_EQ(paths.lock, fs::path("/x/runs/r1/controller.lock"));
  // Relative directories are made absolute: jobs run in other directories.
  EXPECT_EQ(PathsFor("rel").dir, fs::absolute("rel"));
  EXPECT_EQ(PathsFor("rel").db, fs::absolute("rel") / "cambrian.db");
}

TEST(RunLockTest, SecondAcquireFailsUntilTheFirstIsReleased) {
  ScratchDir dir("lock_twice");
  RunPaths paths = PathsFor(dir.path());
  {
    absl::StatusOr<RunLock> first = RunLock::Acquire(paths);
    ASSERT_TRUE(first.ok()) << first.status();
    absl::StatusOr<RunLock> second = RunLock::Acquire(paths);
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(absl::IsFailedPrecondition(second.status())) << second.status();
    EXPECT_THAT(std::string(second.status().message()), HasSubstr(paths.dir.string()));
    // The holder wrote its pid into the lock file.
    absl::StatusOr<std::string> text = ReadFile(paths.lock);
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, absl::StrCat(getpid(), "\n"));
  }
  absl::StatusOr<RunLock> again = RunLock::Acquire(paths);
  EXPECT_TRUE(again.ok()) << again.status();
}

TEST(RunLockTest, MovedFromLockDoesNotReleaseIt) {
  ScratchDir dir("lock_move");
  RunPaths paths = PathsFor(dir.path());
  std::optional<RunLock> moved;
  {
    absl::StatusOr<RunLock> first = RunLock::Acquire(paths);
    ASSERT_TRUE(first.ok());
    moved.emplace(*std::move(first));
  }  // the moved-from lock is destroyed here
  EXPECT_FALSE(RunLock::Acquire(paths).ok());
  moved.reset();
  EXPECT_TRUE(RunLock::Acquire(paths).ok());
}

TEST(RunLockTest, MissingDirectoryIsAnError) {
  ScratchDir dir("missing");
  RunPaths paths = PathsFor(dir.path() / "nope");
  absl::StatusOr<RunLock> lock = RunLock::Acquire(paths);
  EXPECT_FALSE(lock.ok());
}

TEST(RunLockTest, LockHeldByAnotherProcess) {
  ScratchDir dir("lock_fork");
  RunPaths paths = PathsFor(dir.path());
  int to_parent[2], to_child[2];
  ASSERT_EQ(pipe(to_parent), 0);
  ASSERT_EQ(pipe(to_child), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(to_parent[0]);
    close(to_child[1]);
    absl::StatusOr<RunLock> lock = RunLock::Acquire(paths);
    char byte = lock.ok() ? 'y' : 'n';
    (void)!write(to_parent[1], &byte, 1);
    (void)!read(to_child[0], &byte, 1);  // hold the lock until told to exit
    _exit(0);
  }
  close(to_parent[1]);
  close(to_child[0]);
  char byte = 0;
  ASSERT_EQ(read(to_parent[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y') << "the child could not take the lock";

  absl::StatusOr<RunLock> blocked = RunLock::Acquire(paths);
  EXPECT_TRUE(absl::IsFailedPrecondition(blocked.status())) << blocked.status();
  EXPECT_THAT(std::string(blocked.status().message()), HasSubstr("another cambrian controller"));

  ASSERT_EQ(write(to_child[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(to_parent[0]);
  close(to_child[1]);

  absl::StatusOr<RunLock> after = RunLock::Acquire(paths);
  EXPECT_TRUE(after.ok()) << after.status();
}

// A controller SIGKILLed while a job was between fork and exec leaves the
// job holding the lock for a moment: the next controller waits for it
// rather than refusing, but refuses at once while the controller lives.
TEST(RunLockTest, WaitsForADeadControllersForkedChild) {
  ScratchDir dir("lock_orphan");
  RunPaths paths = PathsFor(dir.path());
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t controller = fork();
  ASSERT_GE(controller, 0);
  if (controller == 0) {
    close(ready[0]);
    absl::StatusOr<RunLock> lock = RunLock::Acquire(paths);
    if (!lock.ok()) _exit(1);
    if (fork() == 0) {  // the job, sharing the locked file, outlives its parent
      (void)!write(ready[1], "y", 1);
      usleep(400 * 1000);
      _exit(0);
    }
    _exit(0);  // "killed": exits without releasing anything itself
  }
  close(ready[1]);
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  close(ready[0]);
  int status = 0;
  ASSERT_EQ(waitpid(controller, &status, 0), controller);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  EXPECT_TRUE(absl::IsFailedPrecondition(RunLock::Acquire(paths, absl::ZeroDuration()).status()))
      << "the job still holds the file";
  absl::StatusOr<RunLock> after = RunLock::Acquire(paths, absl::Seconds(30));
  EXPECT_TRUE(after.ok()) << after.status();
}

// Makes runs/NAME/cambrian.db with the given modification time.
void MakeRun(const std::string& name, fs::file_time_type time) {
  fs::path db = PathsFor(fs::path(kDefaultRunsDir) / name).db;
  ASSERT_TRUE(WriteFile(db, "db").ok());
  fs::last_write_time(db, time);
}

TEST(ResolveRunDirTest, FlagWinsWithoutLooking) {
  ScratchDir scratch("resolve_flag");
  ScopedCwd cwd(scratch.path());
  absl::StatusOr<fs::path> dir = ResolveRunDir(fs::path("/some/where"));
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(*dir, fs::path("/some/where"));
}

TEST(ResolveRunDirTest, PicksTheMostRecentlyModifiedRun) {
  ScratchDir scratch("resolve_latest");
  ScopedCwd cwd(scratch.path());
  const fs::file_time_type now = fs::file_time_type::clock::now();
  MakeRun("old", now - std::chrono::hours(3));
  MakeRun("newest", now - std::chrono::hours(1));
  MakeRun("middle", now - std::chrono::hours(2));
  // A directory without a database is not a run, however new.
  fs::create_directories(fs::path(kDefaultRunsDir) / "not-a-run");
  absl::StatusOr<fs::path> dir = ResolveRunDir(std::nullopt);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->filename(), "newest");
}

TEST(ResolveRunDirTest, WalFileCountsAsActivity) {
  ScratchDir scratch("resolve_wal");
  ScopedCwd cwd(scratch.path());
  const fs::file_time_type now = fs::file_time_type::clock::now();
  MakeRun("a", now - std::chrono::hours(1));
  MakeRun("b", now - std::chrono::hours(5));
  // b's main file is old, but its WAL was written just now.
  fs::path wal = fs::path(kDefaultRunsDir) / "b" / "cambrian.db-wal";
  ASSERT_TRUE(WriteFile(wal, "wal").ok());
  fs::last_write_time(wal, now);
  absl::StatusOr<fs::path> dir = ResolveRunDir(std::nullopt);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(dir->filename(), "b");
}

TEST(ResolveRunDirTest, NotFoundWithAdviceWhenThereIsNoRun) {
  ScratchDir scratch("resolve_none");
  ScopedCwd cwd(scratch.path());
  for (bool make_runs_dir : {false, true}) {
    if (make_runs_dir) fs::create_directories(fs::path(kDefaultRunsDir) / "empty");
    absl::StatusOr<fs::path> dir = ResolveRunDir(std::nullopt);
    ASSERT_FALSE(dir.ok());
    EXPECT_TRUE(absl::IsNotFound(dir.status())) << dir.status();
    EXPECT_THAT(std::string(dir.status().message()), HasSubstr("--run-dir"));
    EXPECT_THAT(std::string(dir.status().message()), HasSubstr("cambrian run"));
  }
}

}  // namespace
}  // namespace cambrian::orchestrator
