// SqliteArchive behaviour beyond the shared contract: persistence across
// opens, read-only access next to a writer, and damaged or foreign files.
#include "archive/sqlite_archive.h"

#include <set>
#include <string>
#include <thread>

#include "archive/schema.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/archive/archive_test_util.h"

namespace cambrian::archive {
namespace {

using test::RawSql;
using test::SampleCandidate;
using test::SampleProgram;
using test::SampleRunInfo;
using test::ScoredResult;
using ::testing::HasSubstr;

class SqliteArchiveTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteArchive> OpenRw() {
    auto archive = SqliteArchive::Open(db_, OpenMode::kReadWrite);
    EXPECT_TRUE(archive.ok()) << archive.status();
    return archive.ok() ? std::move(archive).value() : nullptr;
  }
  std::unique_ptr<SqliteArchive> OpenRo() {
    auto archive = SqliteArchive::Open(db_, OpenMode::kReadOnly);
    EXPECT_TRUE(archive.ok()) << archive.status();
    return archive.ok() ? std::move(archive).value() : nullptr;
  }
  // Adds SampleProgram(n) as a finished candidate with fitness n.
  static int64_t AddFinished(Archive& archive, int n) {
    auto hash = archive.PutProgram(SampleProgram(n));
    auto id = archive.AddCandidate(SampleCandidate(hash.value_or("")));
    EXPECT_TRUE(id.ok()) << id.status();
    EXPECT_TRUE(archive.FinishCandidate(id.value_or(0), ScoredResult(n)).ok());
    return id.value_or(0);
  }

  test::TempDir dir_;
  std::filesystem::path db_ = dir_.path() / "cambrian.db";
};

TEST_F(SqliteArchiveTest, ReopenKeepsEverything) {
  {
    auto archive = OpenRw();
    ASSERT_NE(archive, nullptr);
    ASSERT_OK(archive->SetRunInfo(SampleRunInfo("minimize")));
    AddFinished(*archive, 1);
    AddFinished(*archive, 2);
    ASSERT_OK(archive->AddEvent("run_stopped", R"({"reason":"done"})"));
  }
  auto archive = OpenRw();
  ASSERT_NE(archive, nullptr);
  ASSERT_OK_AND_ASSIGN(RunInfo info, archive->GetRunInfo());
  EXPECT_EQ(info.goal, "minimize");
  EXPECT_EQ(info.seed, 42u);
  ASSERT_OK_AND_ASSIGN(Program program, archive->GetProgram(ProgramHash(SampleProgram(2))));
  EXPECT_EQ(program, SampleProgram(2));
  ASSERT_OK_AND_ASSIGN(Candidate second, archive->GetCandidate(2));
  EXPECT_EQ(second.status, CandidateStatus::kDone);
  EXPECT_EQ(second.fitness, 2.0);
  EXPECT_EQ(second.metrics.at("gflops"), 2.0);
  ASSERT_OK_AND_ASSIGN(std::vector<StageRecord> stages, archive->GetStages(2));
  EXPECT_EQ(stages.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, archive->ListEvents(10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "run_stopped");
  // Ids continue after a reopen.
  EXPECT_EQ(AddFinished(*archive, 3), 3);
  EXPECT_EQ(RawSql(db_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawSql(db_, "PRAGMA user_version"), std::to_string(internal::LatestSchemaVersion()));
}

TEST_F(SqliteArchiveTest, IdenticalFilesShareOneBlob) {
  auto archive = OpenRw();
  ASSERT_NE(archive, nullptr);
  ASSERT_OK(archive->PutProgram({{"a", "same"}, {"b", "same"}}).status());
  ASSERT_OK(archive->PutProgram({{"c", "same"}, {"d", "other"}}).status());
  EXPECT_EQ(RawSql(db_, "SELECT count(*) FROM blobs"), "2");
  EXPECT_EQ(RawSql(db_, "SELECT count(*) FROM programs"), "2");
}

TEST_F(SqliteArchiveTest, ReadOnlyHandleSeesCommitsAndDoesNotBlockTheWriter) {
  auto writer = OpenRw();
  ASSERT_NE(writer, nullptr);
  AddFinished(*writer, 1);
  auto reader = OpenRo();
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(reader->read_only());
  ASSERT_OK_AND_ASSIGN(int64_t count, reader->CountCandidates());
  EXPECT_EQ(count, 1);
  AddFinished(*writer, 2);  // the reader stays open
  ASSERT_OK_AND_ASSIGN(count, reader->CountCandidates());
  EXPECT_EQ(count, 2);
  ASSERT_OK_AND_ASSIGN(Candidate second, reader->GetCandidate(2));
  EXPECT_EQ(second.fitness, 2.0);
  // A reader in the middle of a long read transaction does not stop commits.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN; SELECT count(*) FROM candidates;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  const absl::Time start = absl::Now();
  EXPECT_EQ(AddFinished(*writer, 3), 3);
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));  // well under busy_timeout
  sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  // Nothing can be written through the read-only handle.
  EXPECT_EQ(reader->AddEvent("x", "{}").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->PutProgram(SampleProgram(9)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->SetCandidateStatus(1, CandidateStatus::kInterrupted).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(SqliteArchiveTest, ReadOnlyAfterTheWriterClosed) {
  { AddFinished(*OpenRw(), 1); }
  auto reader = OpenRo();
  ASSERT_NE(reader, nullptr);
  ASSERT_OK_AND_ASSIGN(Program program, reader->GetProgram(ProgramHash(SampleProgram(1))));
  EXPECT_EQ(program, SampleProgram(1));
}

TEST_F(SqliteArchiveTest, ReadOnlyOfAMissingFileIsNotFound) {
  auto archive = SqliteArchive::Open(db_, OpenMode::kReadOnly);
  EXPECT_EQ(archive.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(archive.status().message(), HasSubstr(db_.string()));
  EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(SqliteArchiveTest, ReadWriteInAMissingDirectoryNamesThePath) {
  const std::filesystem::path path = dir_.path() / "no" / "such" / "cambrian.db";
  auto archive = SqliteArchive::Open(path, OpenMode::kReadWrite);
  EXPECT_FALSE(archive.ok());
  EXPECT_THAT(archive.status().message(), HasSubstr(path.string()));
}

TEST_F(SqliteArchiveTest, GarbageFileIsAnErrorNamingTheFile) {
  ASSERT_OK(WriteFile(db_, std::string(4096, '\x5a') + "definitely not sqlite"));
  for (OpenMode mode : {OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    auto archive = SqliteArchive::Open(db_, mode);
    EXPECT_EQ(archive.status().code(), absl::StatusCode::kDataLoss) << archive.status();
    EXPECT_THAT(archive.status().message(), HasSubstr(db_.string()));
    EXPECT_THAT(archive.status().message(), HasSubstr("not a database"));
  }
}

TEST_F(SqliteArchiveTest, EmptyFileIsCreatedReadWriteButRefusedReadOnly) {
  ASSERT_OK(WriteFile(db_, ""));
  auto reader = SqliteArchive::Open(db_, OpenMode::kReadOnly);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(reader.status().message(), HasSubstr("not a cambrian archive"));
  auto writer = OpenRw();
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(AddFinished(*writer, 1), 1);
}

TEST_F(SqliteArchiveTest, OneObjectIsSafeToShareBetweenThreads) {
  auto archive = OpenRw();
  ASSERT_NE(archive, nullptr);
  std::vector<int64_t> ids[2];
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int n = 0; n < 30; ++n) ids[t].push_back(AddFinished(*archive, t * 1000 + n));
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> all(ids[0].begin(), ids[0].end());
  all.insert(ids[1].begin(), ids[1].end());
  EXPECT_EQ(all.size(), 60u);
  EXPECT_EQ(*all.begin(), 1);
  EXPECT_EQ(*all.rbegin(), 60);
  EXPECT_EQ(RawSql(db_, "SELECT count(*) FROM evaluations"), "120");
}

TEST_F(SqliteArchiveTest, ForeignSqliteDatabaseIsRejected) {
  ASSERT_EQ(RawSql(db_, "CREATE TABLE recipes (name TEXT)"), "");
  for (OpenMode mode : {OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    auto archive = SqliteArchive::Open(db_, mode);
    EXPECT_EQ(archive.status().code(), absl::StatusCode::kFailedPrecondition) << archive.status();
    EXPECT_THAT(archive.status().message(), HasSubstr("not a cambrian archive"));
  }
  EXPECT_EQ(RawSql(db_, "SELECT count(*) FROM sqlite_schema"), "1");  // left untouched
}

TEST_F(SqliteArchiveTest, NewerSchemaIsAnErrorNamingBothVersions) {
  { ASSERT_NE(OpenRw(), nullptr); }
  ASSERT_EQ(RawSql(db_, "PRAGMA user_version = 999"), "");
  for (OpenMode mode : {OpenMode::kReadWrite, OpenMode::kReadOnly}) {
    auto archive = SqliteArchive::Open(db_, mode);
    EXPECT_EQ(archive.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(archive.status().message(), HasSubstr("999"));
    EXPECT_THAT(archive.status().message(),
                HasSubstr("up to version " + std::to_string(internal::LatestSchemaVersion())));
  }
}

TEST_F(SqliteArchiveTest, TamperedBlobIsDataLossNamingTheHash) {
  std::string hash;
  {
    auto archive = OpenRw();
    ASSERT_NE(archive, nullptr);
    ASSERT_OK_AND_ASSIGN(hash, archive->PutProgram({{"main.cc", "int main() {}\n"}}));
    ASSERT_OK(archive->PutProgram({{"other.cc", "// something else\n"}}).status());
  }
  const std::string blob = Sha256Hex("int main() {}\n");
  const std::string other = Sha256Hex("// something else\n");
  // Valid zstd of the wrong content: only the hash check can notice.
  ASSERT_EQ(RawSql(db_,
                   "UPDATE blobs SET (raw_size, data) = (SELECT raw_size, data FROM blobs "
                   "WHERE hash = '" +
                       other + "') WHERE hash = '" + blob + "'"),
            "");
  auto archive = OpenRo();
  ASSERT_NE(archive, nullptr);
  absl::StatusOr<Program> program = archive->GetProgram(hash);
  EXPECT_EQ(program.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(program.status().message(), HasSubstr(blob));
  // Bytes that are not zstd at all.
  ASSERT_EQ(RawSql(db_, "UPDATE blobs SET data = x'00112233' WHERE hash = '" + blob + "'"), "");
  program = archive->GetProgram(hash);
  EXPECT_EQ(program.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(program.status().message(), HasSubstr(blob));
}

}  // namespace
}  // namespace cambrian::archive
