// Schema version 2 (LLM calls) in the SQLite file: an existing version-1 run
// is migrated in place on a read-write open, and LLM texts are stored
// compressed and verified in `blobs`.
#include <string>

#include "archive/schema.h"
#include "archive/sqlite_archive.h"
#include "common/sha256.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/archive/archive_test_util.h"

namespace cambrian::archive {
namespace {

using test::RawSql;
using ::testing::HasSubstr;

LlmCall SimpleCall(const std::string& prompt, const std::string& response) {
  LlmCall call;
  call.provider = "openai";
  call.model = "m";
  call.prompt_hash = "h";
  call.prompt = prompt;
  call.response = response;
  call.outcome = "ok";
  return call;
}

class SqliteMigrationTest : public ::testing::Test {
 protected:
  // A file exactly as a version-1 cambrian left it: the released migration 1,
  // a run, an empty program and one finished candidate.
  void MakeVersion1File(const std::filesystem::path& path) {
    const std::string v1(internal::MigrationSql(1));
    ASSERT_FALSE(v1.empty());
    ASSERT_EQ(RawSql(path, v1 + "PRAGMA user_version = 1;"), "");
    const std::string program_hash = ProgramHash(Program{});
    ASSERT_EQ(RawSql(path,
                     "INSERT INTO runs VALUES (1, 'matmul', '/t', '', 'maximize', 7, '{}', 1.0);"
                     "INSERT INTO programs VALUES ('" +
                         program_hash +
                         "', '{}');"
                         "INSERT INTO candidates (program_hash, mutator, description, island, "
                         "status, outcome, metrics, fitness, created_at, finished_at) VALUES ('" +
                         program_hash +
                         "', 'seed', 'the seed', 0, 'done', 'ok', '{\"g\":2}', "
                         "2.0, 1.0, 2.0);"),
              "");
  }

  // Every table and index definition, to compare two files' schemas.
  static std::string Schema(const std::filesystem::path& path) {
    return RawSql(path,
                  "SELECT group_concat(name || ': ' || sql, '\n') FROM "
                  "(SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name)");
  }

  test::TempDir dir_;
  std::filesystem::path db_ = dir_.path() / "cambrian.db";
};

TEST_F(SqliteMigrationTest, Version1RunIsMigratedInPlaceOnReadWriteOpen) {
  MakeVersion1File(db_);
  // Read-only never migrates: it asks for a read-write open first.
  auto reader = SqliteArchive::Open(db_, OpenMode::kReadOnly);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(reader.status().message(), HasSubstr("open it read-write"));
  EXPECT_EQ(RawSql(db_, "PRAGMA user_version"), "1");
  {
    ASSERT_OK_AND_ASSIGN(auto archive, SqliteArchive::Open(db_, OpenMode::kReadWrite));
    EXPECT_EQ(internal::LatestSchemaVersion(), 4);
    // The old run is intact and its candidate has no LLM call.
    ASSERT_OK_AND_ASSIGN(RunInfo info, archive->GetRunInfo());
    EXPECT_EQ(info.task_name, "matmul");
    ASSERT_OK_AND_ASSIGN(Candidate seed, archive->GetCandidate(1));
    EXPECT_EQ(seed.description, "the seed");
    EXPECT_EQ(seed.fitness, 2.0);
    EXPECT_EQ(seed.llm_call_id, std::nullopt);
    EXPECT_TRUE(seed.objectives.empty());  // version 4: '{}' for an old candidate
    // The new tables work.
    LlmCall call = SimpleCall("prompt", "reply");
    call.provider = "anthropic";
    call.model = "claude-sonnet-4";
    call.prompt_hash = "abc";
    call.parent_id = 1;
    ASSERT_OK_AND_ASSIGN(const int64_t call_id, archive->AddLlmCall(call));
    ASSERT_OK_AND_ASSIGN(std::string hash, archive->PutProgram({{"a.cc", "int x;\n"}}));
    NewCandidate child;
    child.parent_id = 1;
    child.program_hash = hash;
    child.mutator = "llm";
    child.llm_call_id = call_id;
    ASSERT_OK_AND_ASSIGN(const int64_t child_id, archive->AddCandidate(child));
    EXPECT_EQ(child_id, 2);
  }
  EXPECT_EQ(RawSql(db_, "PRAGMA user_version"), "4");
  EXPECT_EQ(RawSql(db_, "SELECT llm_call_id FROM candidates WHERE id = 2"), "1");
  ASSERT_OK_AND_ASSIGN(auto reopened, SqliteArchive::Open(db_, OpenMode::kReadOnly));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> cached,
                       reopened->FindLlmResponse("claude-sonnet-4", "abc"));
  EXPECT_EQ(cached, "reply");
  // A migrated file has exactly the schema of a file created at the latest version.
  const std::filesystem::path fresh = dir_.path() / "fresh.db";
  { ASSERT_OK(SqliteArchive::Open(fresh, OpenMode::kReadWrite).status()); }
  EXPECT_EQ(Schema(db_), Schema(fresh));
  EXPECT_THAT(Schema(fresh), HasSubstr("llm_calls_by_prompt"));
}

TEST_F(SqliteMigrationTest, LlmTextsAreCompressedSharedAndVerified) {
  ASSERT_OK_AND_ASSIGN(auto archive, SqliteArchive::Open(db_, OpenMode::kReadWrite));
  LlmCall call = SimpleCall(std::string(20'000, 'x') + "the task", "reply");
  ASSERT_OK_AND_ASSIGN(const int64_t first, archive->AddLlmCall(call));
  call.outcome = "cached";
  ASSERT_OK(archive->AddLlmCall(call).status());
  const std::string prompt_blob = Sha256Hex(call.prompt);
  EXPECT_EQ(RawSql(db_, "SELECT prompt_blob FROM llm_calls WHERE id = 1"), prompt_blob);
  EXPECT_EQ(RawSql(db_, "SELECT count(*) FROM blobs"), "2");  // one prompt, one reply
  EXPECT_EQ(RawSql(db_, "SELECT length(data) < raw_size / 10 FROM blobs WHERE hash = '" +
                            prompt_blob + "'"),
            "1");
  // A reply whose stored bytes were damaged is DataLoss, never wrong text.
  ASSERT_EQ(RawSql(db_, "UPDATE blobs SET data = x'00' WHERE hash = '" + prompt_blob + "'"), "");
  absl::StatusOr<LlmCall> got = archive->GetLlmCall(first);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(got.status().message(), HasSubstr(prompt_blob));
}

TEST_F(SqliteMigrationTest, ReadOnlyHandleReadsCallsButCannotAddThem) {
  const LlmCall call = SimpleCall("", "r");
  {
    ASSERT_OK_AND_ASSIGN(auto writer, SqliteArchive::Open(db_, OpenMode::kReadWrite));
    ASSERT_OK(writer->AddLlmCall(call).status());
  }
  ASSERT_OK_AND_ASSIGN(auto reader, SqliteArchive::Open(db_, OpenMode::kReadOnly));
  EXPECT_EQ(reader->AddLlmCall(call).status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(LlmTotals totals, reader->GetLlmTotals());
  EXPECT_EQ(totals.calls, 1);
  ASSERT_OK_AND_ASSIGN(std::vector<LlmCall> calls, reader->ListLlmCalls(5));
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].response, "r");
}

}  // namespace
}  // namespace cambrian::archive
