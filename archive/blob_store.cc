#include "archive/blob_store.h"

#include "absl/strings/str_cat.h"
#include "archive/codec.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace cambrian::archive::internal {

absl::StatusOr<std::string> PutBlob(Db& db, const std::string& content) {
  std::string hash = Sha256Hex(content);
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find, db.Prepare("SELECT 1 FROM blobs WHERE hash = ?"));
  find.Bind(1, hash);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool exists, find.Step());
  if (exists) return hash;  // content-addressed: no need to compress it again
  CAMBRIAN_ASSIGN_OR_RETURN(const std::string compressed, Compress(content));
  CAMBRIAN_ASSIGN_OR_RETURN(
      Statement insert, db.Prepare("INSERT INTO blobs (hash, raw_size, data) VALUES (?, ?, ?)"));
  insert.Bind(1, hash).Bind(2, static_cast<int64_t>(content.size())).BindBlob(3, compressed);
  CAMBRIAN_RETURN_IF_ERROR(insert.Run());
  return hash;
}

absl::StatusOr<std::string> GetBlob(Db& db, const std::string& hash) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement find,
                            db.Prepare("SELECT raw_size, data FROM blobs WHERE hash = ?"));
  find.Bind(1, hash);
  CAMBRIAN_ASSIGN_OR_RETURN(const bool found, find.Step());
  if (!found) return absl::DataLossError(absl::StrCat("blob ", hash, " is missing"));
  absl::StatusOr<std::string> content = Decompress(find.Blob(1), find.Int64(0));
  if (!content.ok()) return Annotate(content.status(), absl::StrCat("blob ", hash));
  const std::string actual = Sha256Hex(*content);
  if (actual != hash) {
    return absl::DataLossError(
        absl::StrCat("blob ", hash, " is corrupt: its content hashes to ", actual));
  }
  return content;
}

}  // namespace cambrian::archive::internal
