// Private to archive/: the content-addressed `blobs` table. Used for program
// files and for LLM prompt and response texts. Callers hold the Db (and its
// SqliteArchive mutex); not thread-safe by itself.
#ifndef CAMBRIAN_ARCHIVE_BLOB_STORE_H_
#define CAMBRIAN_ARCHIVE_BLOB_STORE_H_

#include <string>

#include "absl/status/statusor.h"
#include "archive/sqlite_db.h"

namespace cambrian::archive::internal {

// Stores `content` (zstd) under its SHA-256 unless it is already there;
// returns the hash. Errors are SQLite's or zstd's.
[[nodiscard]] absl::StatusOr<std::string> PutBlob(Db& db, const std::string& content);

// Reads, decompresses and verifies one blob: whatever comes back is exactly
// the content that was hashed when it was stored. DataLoss naming the hash if
// it is missing, does not decompress, or no longer matches its hash.
[[nodiscard]] absl::StatusOr<std::string> GetBlob(Db& db, const std::string& hash);

}  // namespace cambrian::archive::internal

#endif  // CAMBRIAN_ARCHIVE_BLOB_STORE_H_
