#include "archive/codec.h"

#include <zstd.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "nlohmann/json.hpp"

namespace cambrian::archive::internal {
namespace {

constexpr int kZstdLevel = 3;

// Serialises an object of simple values. dump() throws on invalid UTF-8; the
// exception must not leave the module, so it becomes InvalidArgument.
template <typename Map>
absl::StatusOr<std::string> DumpObject(const Map& values, std::string_view what) {
  try {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [key, value] : values) object[key] = value;
    return object.dump();
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot encode ", Sv(what), " as JSON: ", e.what()));
  }
}

absl::StatusOr<nlohmann::json> ParseObject(std::string_view json, std::string_view what) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::DataLossError(absl::StrCat("stored ", Sv(what), " is not a JSON object"));
  }
  return parsed;
}

}  // namespace

absl::StatusOr<std::string> EncodeMetrics(const Metrics& metrics) {
  return DumpObject(metrics, "metrics");
}

absl::StatusOr<Metrics> DecodeMetrics(std::string_view json) {
  auto parsed = ParseObject(json, "metrics");
  if (!parsed.ok()) return parsed.status();
  Metrics metrics;
  for (const auto& [name, value] : parsed->items()) {
    if (!value.is_number()) {
      return absl::DataLossError(absl::StrCat("stored metric \"", name, "\" is not a number"));
    }
    metrics[name] = value.get<double>();
  }
  return metrics;
}

absl::StatusOr<std::string> EncodeManifest(const Manifest& manifest) {
  return DumpObject(manifest, "program manifest");
}

absl::StatusOr<Manifest> DecodeManifest(std::string_view json) {
  auto parsed = ParseObject(json, "program manifest");
  if (!parsed.ok()) return parsed.status();
  Manifest manifest;
  for (const auto& [path, hash] : parsed->items()) {
    if (!hash.is_string()) {
      return absl::DataLossError(absl::StrCat("manifest entry \"", path, "\" is not a string"));
    }
    manifest[path] = hash.get<std::string>();
  }
  return manifest;
}

absl::StatusOr<std::string> Compress(std::string_view raw) {
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  const size_t size = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), kZstdLevel);
  if (ZSTD_isError(size)) {
    return absl::InternalError(absl::StrCat("zstd compression failed: ", ZSTD_getErrorName(size)));
  }
  out.resize(size);
  return out;
}

absl::StatusOr<std::string> Decompress(std::string_view data, int64_t raw_size) {
  if (raw_size < 0) return absl::DataLossError(absl::StrCat("negative raw size ", raw_size));
  std::string out(static_cast<size_t>(raw_size), '\0');
  const size_t size = ZSTD_decompress(out.data(), out.size(), data.data(), data.size());
  if (ZSTD_isError(size)) {
    return absl::DataLossError(
        absl::StrCat("zstd decompression failed: ", ZSTD_getErrorName(size)));
  }
  if (size != out.size()) {
    return absl::DataLossError(absl::StrCat("decompressed ", size, " bytes, expected ", raw_size));
  }
  return out;
}

double ToUnixSeconds(absl::Time time) { return absl::ToDoubleSeconds(time - absl::UnixEpoch()); }

absl::Time FromUnixSeconds(double seconds) { return absl::UnixEpoch() + absl::Seconds(seconds); }

}  // namespace cambrian::archive::internal
