#include "common/units.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/absl_compat.h"

namespace cambrian {
namespace {

// Splits "1.5GiB" into (1.5, "GiB").
bool SplitNumber(std::string_view text, double* number, std::string_view* suffix) {
  text = Std(absl::StripAsciiWhitespace(Sv(text)));
  size_t end = 0;
  while (end < text.size() && (absl::ascii_isdigit(text[end]) || text[end] == '.')) ++end;
  if (end == 0) return false;
  *suffix = Std(absl::StripAsciiWhitespace(Sv(text.substr(end))));
  return absl::SimpleAtod(Sv(text.substr(0, end)), number) && *number >= 0;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseDuration(std::string_view text) {
  // absl's syntax ("90s", "1h30m", "250ms"), plus a bare number of seconds
  // and "min" for minutes; never negative or infinite.
  std::string spelled(absl::StripAsciiWhitespace(Sv(text)));
  double seconds = 0;
  if (absl::SimpleAtod(spelled, &seconds) && seconds >= 0 && std::isfinite(seconds)) {
    return absl::Seconds(seconds);
  }
  if (absl::EndsWith(spelled, "min")) spelled.replace(spelled.size() - 3, 3, "m");
  spelled.erase(std::remove(spelled.begin(), spelled.end(), ' '), spelled.end());
  absl::Duration duration;
  if (absl::ParseDuration(spelled, &duration) && duration >= absl::ZeroDuration() &&
      duration != absl::InfiniteDuration()) {
    return duration;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", Sv(text), "' is not a duration (expected e.g. 500ms, 30s, 5m, 2h, 1h30m)"));
}

absl::StatusOr<int64_t> ParseBytes(std::string_view text) {
  constexpr std::pair<std::string_view, double> kUnits[] = {
      {"", 1},     {"B", 1},    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1 << 30}, {"KB", 1e3},
      {"MB", 1e6}, {"GB", 1e9}, {"K", 1024.0},   {"M", 1048576.0},   {"G", 1 << 30}};
  double number = 0;
  std::string_view suffix;
  if (SplitNumber(text, &number, &suffix)) {
    for (const auto& [unit, factor] : kUnits) {
      if (suffix == unit) return static_cast<int64_t>(std::llround(number * factor));
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("'", Sv(text), "' is not a size (expected e.g. 512MiB, 4GiB)"));
}

std::string HumanDuration(absl::Duration duration) {
  int64_t ms = absl::ToInt64Milliseconds(duration);
  if (ms < 1000) return absl::StrCat(ms, "ms");
  int64_t s = ms / 1000;
  if (s < 60) return absl::StrFormat("%.1fs", ms / 1000.0);
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s / 60) % 60);
}

}  // namespace cambrian
