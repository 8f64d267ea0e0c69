// Private to archive/: how values are encoded in the database columns.
// JSON (nlohmann) and zstd stay behind these functions. Thread-safe.
#ifndef CAMBRIAN_ARCHIVE_CODEC_H_
#define CAMBRIAN_ARCHIVE_CODEC_H_

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/metrics.h"

namespace cambrian::archive::internal {

// path -> blob hash, as stored in programs.manifest.
using Manifest = std::map<std::string, std::string>;

// {"name": number, ...}. InvalidArgument if a name is not valid UTF-8.
[[nodiscard]] absl::StatusOr<std::string> EncodeMetrics(const Metrics& metrics);
// DataLoss if `json` is not an object of numbers.
[[nodiscard]] absl::StatusOr<Metrics> DecodeMetrics(std::string_view json);

// {"path": "blob hash", ...}. InvalidArgument if a path is not valid UTF-8.
[[nodiscard]] absl::StatusOr<std::string> EncodeManifest(const Manifest& manifest);
// DataLoss if `json` is not an object of strings.
[[nodiscard]] absl::StatusOr<Manifest> DecodeManifest(std::string_view json);

// zstd level 3. Internal error only if zstd itself fails.
[[nodiscard]] absl::StatusOr<std::string> Compress(std::string_view raw);
// DataLoss unless `data` is one zstd frame of exactly `raw_size` bytes.
[[nodiscard]] absl::StatusOr<std::string> Decompress(std::string_view data, int64_t raw_size);

// Times are stored as unix seconds (REAL), readable with SQLite's
// datetime(x, 'unixepoch').
double ToUnixSeconds(absl::Time time);
absl::Time FromUnixSeconds(double seconds);

}  // namespace cambrian::archive::internal

#endif  // CAMBRIAN_ARCHIVE_CODEC_H_
