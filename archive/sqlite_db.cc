#include "archive/sqlite_db.h"

#include <sqlite3.h>

#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/status_macros.h"

namespace cambrian::archive::internal {
namespace {

constexpr int kBusyTimeoutMs = 5000;

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {  // primary code of an extended result code
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return absl::StatusCode::kFailedPrecondition;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::StatusCode::kPermissionDenied;
    case SQLITE_FULL:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kInternal;
  }
}

// Long statements are cut in messages; the start says which one it was.
std::string Abbreviate(std::string_view sql) {
  std::string text;
  for (char c : sql.substr(0, 80)) text += (c == '\n' || c == '\t') ? ' ' : c;
  return sql.size() > 80 ? text + "..." : text;
}

absl::Status Error(sqlite3* db, int rc, std::string_view operation, std::string_view sql) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite ", Sv(operation), " \"", Abbreviate(sql),
                                                "\": ", message, " (code ", rc, ")"));
}

}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view sql)
    : db_(db), stmt_(stmt), sql_(sql) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      bind_status_(std::move(other.bind_status_)) {}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::NoteBind(int rc, int index) {
  if (rc != SQLITE_OK && bind_status_.ok()) {
    bind_status_ = Error(db_, rc, absl::StrCat("bind #", index), sql_);
  }
}

Statement& Statement::Bind(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, double value) {
  NoteBind(sqlite3_bind_double(stmt_, index, value), index);
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  NoteBind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob must still be a BLOB, not NULL: pass a non-null pointer.
  NoteBind(sqlite3_bind_blob64(stmt_, index, bytes.empty() ? "" : bytes.data(), bytes.size(),
                               SQLITE_TRANSIENT),
           index);
  return *this;
}

Statement& Statement::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index), index);
  return *this;
}

absl::StatusOr<bool> Statement::Step() {
  CAMBRIAN_RETURN_IF_ERROR(bind_status_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, rc, "step", sql_);
}

absl::Status Statement::Run() {
  while (true) {
    CAMBRIAN_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::Double(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return "";
  return std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string Statement::Blob(int column) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return "";
  return std::string(data, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<int64_t> Statement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

std::optional<double> Statement::OptionalDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Double(column);
}

std::optional<std::string> Statement::OptionalText(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::filesystem::path& path, bool read_only) {
  std::error_code ec;
  if (read_only && !std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat("archive database ", path.string(), " does not exist"));
  }
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* handle = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  // sqlite3_open_v2 returns a handle even on failure; the Db owns and closes it.
  std::unique_ptr<Db> db(new Db(handle, path));
  if (rc != SQLITE_OK) {
    return absl::Status(CodeFor(rc), absl::StrCat("opening archive ", path.string(), ": ",
                                                  sqlite3_errmsg(handle), " (code ", rc, ")"));
  }
  CAMBRIAN_RETURN_IF_ERROR(
      Annotate(db->Configure(read_only), absl::StrCat("opening archive ", path.string())));
  return db;
}

absl::Status Db::Configure(bool read_only) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // Reading the schema is the first access to the file, so a file that is
  // not a database fails here with SQLITE_NOTADB.
  CAMBRIAN_RETURN_IF_ERROR(Exec("SELECT count(*) FROM sqlite_schema"));
  CAMBRIAN_RETURN_IF_ERROR(Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL"));
  if (read_only) return absl::OkStatus();
  // WAL lets review commands read while the controller writes, and makes a
  // commit one append, so a kill -9 loses nothing that was committed.
  CAMBRIAN_ASSIGN_OR_RETURN(Statement wal, Prepare("PRAGMA journal_mode=WAL"));
  CAMBRIAN_ASSIGN_OR_RETURN(const bool row, wal.Step());
  if (!row || wal.Text(0) != "wal") {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot switch to WAL journal mode (got \"", row ? wal.Text(0) : "", "\")"));
  }
  return absl::OkStatus();
}

Db::~Db() { sqlite3_close_v2(db_); }

absl::Status Db::Exec(std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(db_, rc, "exec", sql);
  return absl::OkStatus();
}

absl::StatusOr<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(db_, rc, "prepare", sql);
  }
  return Statement(db_, stmt, sql);
}

absl::Status Db::Transaction(bool write, absl::FunctionRef<absl::Status()> body) {
  // IMMEDIATE takes the write lock up front: a deferred transaction that
  // upgrades later can fail with SQLITE_BUSY without waiting for busy_timeout.
  CAMBRIAN_RETURN_IF_ERROR(Exec(write ? "BEGIN IMMEDIATE" : "BEGIN"));
  absl::Status status = body();
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok() && !sqlite3_get_autocommit(db_)) {
    // Rollback cannot meaningfully fail here; the body's error is what matters.
    Exec("ROLLBACK").IgnoreError();
  }
  return status;
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace cambrian::archive::internal
