// SqliteArchive: opening, run info, programs and events. Candidate methods
// are in sqlite_archive_candidates.cc.
#include "archive/sqlite_archive.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "archive/archive_checks.h"
#include "archive/blob_store.h"
#include "archive/codec.h"
#include "archive/schema.h"
#include "archive/sqlite_db.h"
#include "common/status_macros.h"

namespace cambrian::archive {

using internal::Db;
using internal::GetBlob;
using internal::PutBlob;
using internal::Statement;

namespace {

absl::StatusOr<Program> ReadProgram(Db& db, const std::string& hash) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                            db.Prepare("SELECT manifest FROM programs WHERE hash = ?"));
  find.Bind(1, hash);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("no program with hash ", hash));
  absl::StatusOr<internal::Manifest> manifest = internal::DecodeManifest(find.Text(0));
  if (!manifest.ok()) return Annotate(manifest.status(), absl::StrCat("program ", hash));
  Program program;
  for (const auto& [path, blob_hash] : *manifest) {
    CAMBRIAN_ASSIGN_OR_RETURN(program[path], GetBlob(db, blob_hash));
  }
  if (ProgramHash(program) != hash) {
    return absl::DataLossError(
        absl::StrCat("program ", hash, " is corrupt: its manifest no longer matches its hash"));
  }
  return program;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteArchive>> SqliteArchive::Open(
    const std::filesystem::path& db_path, OpenMode mode, const Clock* clock) {
  const bool read_only = mode == OpenMode::kReadOnly;
  CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(db_path, read_only));
  CAMBRIAN_RETURN_IF_ERROR(internal::PrepareSchema(*db, read_only));
  return std::unique_ptr<SqliteArchive>(
      new SqliteArchive(std::move(db), db_path, read_only, clock));
}

SqliteArchive::SqliteArchive(std::unique_ptr<Db> db, std::filesystem::path path, bool read_only,
                             const Clock* clock)
    : path_(std::move(path)),
      read_only_(read_only),
      clock_(clock != nullptr ? clock : &system_clock_),
      db_(std::move(db)) {}

SqliteArchive::~SqliteArchive() = default;

absl::Status SqliteArchive::CheckWritable() const {
  if (!read_only_) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("archive ", path_.string(), " is open read-only"));
}

absl::Status SqliteArchive::SetRunInfo(const RunInfo& info) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckRunInfo(info));
  absl::MutexLock lock(&mu_);
  return db_->Transaction(/*write=*/true, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(Statement find, db_->Prepare("SELECT 1 FROM runs"));
    CAMBRIAN_ASSIGN_OR_RETURN(const bool exists, find.Step());
    if (exists) return absl::AlreadyExistsError("the run info is already set");
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT INTO runs (id, task_name, task_dir, trusted_hash, goal, seed, "
                     "config_json, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)"));
    // SQLite integers are signed 64-bit: the seed is stored as its bit pattern.
    insert.Bind(1, info.task_name).Bind(2, info.task_dir).Bind(3, info.trusted_hash);
    insert.Bind(4, info.goal).Bind(5, static_cast<int64_t>(info.seed)).Bind(6, info.config_json);
    insert.Bind(7, internal::ToUnixSeconds(info.created_at));
    return insert.Run();
  });
}

absl::StatusOr<RunInfo> SqliteArchive::GetRunInfo() {
  absl::MutexLock lock(&mu_);
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                            db_->Prepare("SELECT task_name, task_dir, trusted_hash, goal, seed, "
                                         "config_json, created_at FROM runs WHERE id = 1"));
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return absl::NotFoundError("the run info is not set yet");
  RunInfo info;
  info.task_name = find.Text(0);
  info.task_dir = find.Text(1);
  info.trusted_hash = find.Text(2);
  info.goal = find.Text(3);
  info.seed = static_cast<uint64_t>(find.Int64(4));
  info.config_json = find.Text(5);
  info.created_at = internal::FromUnixSeconds(find.Double(6));
  return info;
}

absl::StatusOr<std::string> SqliteArchive::PutProgram(const Program& program) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  std::string hash = ProgramHash(program);
  absl::MutexLock lock(&mu_);
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/true, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                              db_->Prepare("SELECT 1 FROM programs WHERE hash = ?"));
    find.Bind(1, hash);
    CAMBRIAN_ASSIGN_OR_RETURN(const bool exists, find.Step());
    if (exists) return absl::OkStatus();
    internal::Manifest manifest;
    for (const auto& [path, content] : program) {
      CAMBRIAN_ASSIGN_OR_RETURN(manifest[path], PutBlob(*db_, content));
    }
    CAMBRIAN_ASSIGN_OR_RETURN(const std::string manifest_json, internal::EncodeManifest(manifest));
    CAMBRIAN_ASSIGN_OR_RETURN(
        Statement insert,
        db_->Prepare("INSERT OR IGNORE INTO programs (hash, manifest) VALUES (?, ?)"));
    insert.Bind(1, hash).Bind(2, manifest_json);
    return insert.Run();
  }));
  return hash;
}

absl::StatusOr<Program> SqliteArchive::GetProgram(const std::string& hash) {
  absl::MutexLock lock(&mu_);
  Program program;
  CAMBRIAN_RETURN_IF_ERROR(db_->Transaction(/*write=*/false, [&]() -> absl::Status {
    CAMBRIAN_ASSIGN_OR_RETURN(program, ReadProgram(*db_, hash));
    return absl::OkStatus();
  }));
  return program;
}

absl::Status SqliteArchive::AddEvent(const std::string& kind, const std::string& data_json) {
  CAMBRIAN_RETURN_IF_ERROR(CheckWritable());
  CAMBRIAN_RETURN_IF_ERROR(CheckEvent(kind, data_json));
  absl::MutexLock lock(&mu_);
  // One statement outside BEGIN is its own transaction.
  CAMBRIAN_ASSIGN_OR_RETURN(Statement insert,
                            db_->Prepare("INSERT INTO events (time, kind, data) VALUES (?, ?, ?)"));
  insert.Bind(1, internal::ToUnixSeconds(Now())).Bind(2, kind).Bind(3, data_json);
  return insert.Run();
}

absl::StatusOr<std::vector<Event>> SqliteArchive::ListEvents(int limit) {
  CAMBRIAN_RETURN_IF_ERROR(CheckLimit(limit));
  absl::MutexLock lock(&mu_);
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement select,
      db_->Prepare("SELECT id, time, kind, data FROM "
                   "(SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id"));
  select.Bind(1, limit);
  std::vector<Event> events;
  while (true) {
    CAMBRIAN_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return events;
    events.push_back(Event{.id = select.Int64(0),
                           .time = internal::FromUnixSeconds(select.Double(1)),
                           .kind = select.Text(2),
                           .data_json = select.Text(3)});
  }
}

}  // namespace cambrian::archive
