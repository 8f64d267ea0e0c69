// Private to archive/: the database schema and its migrations (documented in
// archive/README.md). The version lives in PRAGMA user_version.
#ifndef CAMBRIAN_ARCHIVE_SCHEMA_H_
#define CAMBRIAN_ARCHIVE_SCHEMA_H_

#include <string_view>

#include "absl/status/status.h"
#include "archive/sqlite_db.h"

namespace cambrian::archive::internal {

// The schema version this code writes and reads.
int LatestSchemaVersion();

// The SQL of the migration that takes a file to `to_version` (1-based), ""
// if there is none. For tests that build a file at an older version.
std::string_view MigrationSql(int to_version);

// Read-write: applies every migration after the file's version, all in one
// transaction (a fresh file gets the whole schema). Read-only: checks the
// file is already at the latest version. Either way a file newer than the
// code is FailedPrecondition naming both versions.
[[nodiscard]] absl::Status PrepareSchema(Db& db, bool read_only);

}  // namespace cambrian::archive::internal

#endif  // CAMBRIAN_ARCHIVE_SCHEMA_H_
