// Parsing of the human units used in task files and flags.
#ifndef CAMBRIAN_COMMON_UNITS_H_
#define CAMBRIAN_COMMON_UNITS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cambrian {

// "90s", "1.5m", "2h", "250ms", "1h30m" (absl::ParseDuration), "5min", or a
// bare number of seconds ("30"); never negative.
[[nodiscard]] absl::StatusOr<absl::Duration> ParseDuration(std::string_view text);

// "4GiB", "512MiB", "64KiB", "1GB", "1000" (bytes).
[[nodiscard]] absl::StatusOr<int64_t> ParseBytes(std::string_view text);

// "1m05s", "340ms" - compact, for progress lines.
std::string HumanDuration(absl::Duration duration);

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_UNITS_H_
