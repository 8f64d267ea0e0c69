// A writer process that dies without closing the archive (SIGKILL at an
// arbitrary moment, or _exit) must leave every committed candidate intact and
// no half-written one: each mutating call is one transaction.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "archive/sqlite_archive.h"
#include "gtest/gtest.h"
#include "tests/archive/archive_test_util.h"

namespace cambrian::archive {
namespace {

using test::RawSql;
using test::SampleCandidate;
using test::SampleProgram;
using test::ScoredResult;

// Runs in the forked child: adds and finishes candidates, reporting each
// committed id on `fd`, and leaves with _exit so no destructor closes the
// database. Exits after `stop_after` candidates (0: until killed).
[[noreturn]] void WriterChild(const std::filesystem::path& db, int fd, int stop_after) {
  auto archive = SqliteArchive::Open(db, OpenMode::kReadWrite);
  if (!archive.ok()) _exit(2);
  for (int n = 1; n <= 100'000; ++n) {
    auto hash = (*archive)->PutProgram(SampleProgram(n));
    if (!hash.ok()) _exit(3);
    auto id = (*archive)->AddCandidate(SampleCandidate(*hash));
    if (!id.ok() || !(*archive)->FinishCandidate(*id, ScoredResult(n)).ok()) _exit(4);
    const int64_t committed = *id;
    if (write(fd, &committed, sizeof committed) != sizeof committed) _exit(5);
    if (n == stop_after) _exit(0);
  }
  _exit(0);
}

class SqliteCrashTest : public ::testing::Test {
 protected:
  // Forks WriterChild; returns its pid and the read end of its pipe.
  pid_t StartWriter(int stop_after, int* read_fd) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      WriterChild(db_, fds[1], stop_after);
    }
    close(fds[1]);
    *read_fd = fds[0];
    return pid;
  }

  // Reads reported ids until `count` arrived (0: until the pipe closes).
  static std::vector<int64_t> ReadIds(int fd, size_t count) {
    std::vector<int64_t> ids;
    int64_t id = 0;
    while ((count == 0 || ids.size() < count) && read(fd, &id, sizeof id) == sizeof id) {
      ids.push_back(id);
    }
    return ids;
  }

  // Every reported candidate is present and complete; every other one is
  // either complete too (committed, not yet reported) or merely added.
  void ExpectIntact(Archive& archive, const std::vector<int64_t>& reported) {
    for (int64_t id : reported) {
      ASSERT_OK_AND_ASSIGN(Candidate c, archive.GetCandidate(id));
      EXPECT_EQ(c.status, CandidateStatus::kDone) << id;
      EXPECT_EQ(c.fitness, static_cast<double>(id)) << id;
      ASSERT_OK_AND_ASSIGN(Program program, archive.GetProgram(c.program_hash));
      EXPECT_EQ(program, SampleProgram(static_cast<int>(id)));
    }
    ASSERT_OK_AND_ASSIGN(std::vector<Candidate> all, archive.ListCandidates({}));
    EXPECT_GE(all.size(), reported.size());
    for (const Candidate& c : all) {
      ASSERT_OK_AND_ASSIGN(std::vector<StageRecord> stages, archive.GetStages(c.id));
      if (c.status == CandidateStatus::kDone) {
        EXPECT_EQ(stages.size(), 2u) << c.id;
        EXPECT_TRUE(c.fitness.has_value()) << c.id;
      } else {
        EXPECT_TRUE(stages.empty()) << c.id;
        EXPECT_FALSE(c.fitness.has_value()) << c.id;
      }
    }
    EXPECT_EQ(RawSql(db_, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(RawSql(db_, "PRAGMA foreign_key_check"), "");
  }

  test::TempDir dir_;
  std::filesystem::path db_ = dir_.path() / "cambrian.db";
};

TEST_F(SqliteCrashTest, SigkillMidRunLosesNothingCommitted) {
  int fd = -1;
  const pid_t pid = StartWriter(/*stop_after=*/0, &fd);
  ASSERT_GT(pid, 0);
  std::vector<int64_t> reported = ReadIds(fd, 40);
  ASSERT_EQ(reported.size(), 40u) << "the writer died early";
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  for (int64_t id : ReadIds(fd, 0)) reported.push_back(id);  // sent before the kill
  close(fd);
  for (size_t i = 0; i < reported.size(); ++i) EXPECT_EQ(reported[i], static_cast<int64_t>(i + 1));

  auto archive = SqliteArchive::Open(db_, OpenMode::kReadWrite);
  ASSERT_TRUE(archive.ok()) << archive.status();
  ExpectIntact(**archive, reported);
}

TEST_F(SqliteCrashTest, ExitWithoutCloseKeepsTheWal) {
  int fd = -1;
  const pid_t pid = StartWriter(/*stop_after=*/25, &fd);
  ASSERT_GT(pid, 0);
  const std::vector<int64_t> reported = ReadIds(fd, 0);
  close(fd);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_EQ(reported.size(), 25u);
  EXPECT_TRUE(std::filesystem::exists(db_.string() + "-wal"));  // never checkpointed away

  // A review command reading right after the crash sees every commit.
  auto reader = SqliteArchive::Open(db_, OpenMode::kReadOnly);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_OK_AND_ASSIGN(int64_t count, (*reader)->CountCandidates());
  EXPECT_EQ(count, 25);
  ExpectIntact(**reader, reported);
}

}  // namespace
}  // namespace cambrian::archive
