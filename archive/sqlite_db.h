// Private to archive/: a thin RAII layer over the SQLite C API so that
// <sqlite3.h> stays in sqlite_db.cc. Every failure becomes a Status naming the
// SQL operation and sqlite3_errmsg. Not thread-safe: SqliteArchive serialises
// all use of one Db with its mutex.
#ifndef CAMBRIAN_ARCHIVE_SQLITE_DB_H_
#define CAMBRIAN_ARCHIVE_SQLITE_DB_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cambrian::archive::internal {

// A prepared statement, finalized on destruction. Move-only; must not outlive
// its Db. Bind indexes are 1-based, column indexes 0-based. A failed bind is
// remembered and returned by the next Step().
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);  // TEXT, copied
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    return value.has_value() ? Bind(index, *value) : BindNull(index);
  }

  // True when a row is ready to read, false when the statement is done.
  [[nodiscard]] absl::StatusOr<bool> Step();
  // Steps to the end; for statements that return no rows.
  [[nodiscard]] absl::Status Run();

  bool IsNull(int column) const;
  int64_t Int64(int column) const;
  double Double(int column) const;
  std::string Text(int column) const;  // "" for NULL
  std::string Blob(int column) const;
  std::optional<int64_t> OptionalInt64(int column) const;
  std::optional<double> OptionalDouble(int column) const;
  std::optional<std::string> OptionalText(int column) const;

 private:
  friend class Db;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view sql);
  void NoteBind(int rc, int index);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;           // for error messages
  absl::Status bind_status_;  // first bind failure
};

// One connection. Owns the sqlite3 handle.
class Db {
 public:
  // Opens `path` read-only (never creates it; NotFound if missing) or
  // read-write (created if missing), sets busy_timeout 5000 ms,
  // foreign_keys=ON, synchronous=NORMAL and, read-write, journal_mode=WAL.
  // Every error names the path; a file that is not SQLite is DataLoss.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<Db>> Open(const std::filesystem::path& path,
                                                                bool read_only);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more statements without parameters.
  [[nodiscard]] absl::Status Exec(std::string_view sql);
  [[nodiscard]] absl::StatusOr<Statement> Prepare(std::string_view sql);
  // Runs `body` inside BEGIN IMMEDIATE (write) or BEGIN (read) ... COMMIT,
  // rolling back if body or COMMIT fails, so no partial change is ever stored.
  [[nodiscard]] absl::Status Transaction(bool write, absl::FunctionRef<absl::Status()> body);
  int64_t LastInsertRowId() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  Db(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  [[nodiscard]] absl::Status Configure(bool read_only);

  sqlite3* db_;
  std::filesystem::path path_;
};

}  // namespace cambrian::archive::internal

#endif  // CAMBRIAN_ARCHIVE_SQLITE_DB_H_
