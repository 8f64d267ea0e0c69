#include "evaluator/metrics_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "common/untrusted_text.h"
#include "evaluator/expression.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

absl::Status Malformed(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ", kMetricsFileName, ": ", what));
}

// A JSON value quoted for a note: bounded before it is written out (dump()
// recurses, and a value may be a megabyte), escaped.
std::string Quoted(const json& value) {
  if (value.is_structured()) {
    return absl::StrCat(value.type_name(), " of ", value.size(), " element(s)");
  }
  return absl::StrCat(value.type_name(), " ",
                      QuoteForNote(value.dump(-1, ' ', false, json::error_handler_t::replace)));
}

absl::StatusOr<double> MetricValue(const std::string& name, const json& value) {
  if (name.size() > kMaxMetricNameBytes || !IsMetricName(name)) {
    return Malformed(absl::StrCat("metric name '", QuoteForNote(name, kMaxMetricNameBytes),
                                  "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*) of at most ",
                                  kMaxMetricNameBytes, " bytes"));
  }
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (!value.is_number()) {
    return Malformed(
        absl::StrCat("metric '", name, "' is ", Quoted(value), ", expected a number or a boolean"));
  }
  double number = value.get<double>();
  if (!std::isfinite(number)) {
    return Malformed(absl::StrCat("metric '", name, "' is not finite (", value.dump(), ")"));
  }
  return number;
}

absl::Status ParseMetrics(const json& metrics, StageReport* report) {
  if (!metrics.is_object()) {
    return Malformed(absl::StrCat("\"metrics\" is ", metrics.type_name(), ", expected an object"));
  }
  if (metrics.size() > kMaxMetrics) {
    return Malformed(absl::StrCat("\"metrics\" holds ", metrics.size(),
                                  " metrics, over the limit of ", kMaxMetrics));
  }
  for (const auto& [name, value] : metrics.items()) {
    CAMBRIAN_ASSIGN_OR_RETURN(report->metrics[name], MetricValue(name, value));
  }
  return absl::OkStatus();
}

// The deepest nesting of arrays and objects in `text`, counted outside
// strings, stopping at `limit` + 1: checked before the parser builds
// anything from it.
int NestingDepth(const std::string& text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

absl::StatusOr<StageReport> ParseStageReport(const std::string& text) {
  if (NestingDepth(text, kMaxReportDepth) > kMaxReportDepth) {
    return Malformed(absl::StrCat("nested deeper than ", kMaxReportDepth, " levels"));
  }
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& error) {
    return Malformed(absl::StrCat("not valid JSON (", QuoteForNote(error.what(), 200), ")"));
  }
  if (!document.is_object()) {
    return Malformed(absl::StrCat("the top level is ", document.type_name(),
                                  ", expected an object like {\"metrics\": {...}}"));
  }
  StageReport report;
  for (const auto& [key, value] : document.items()) {
    if (key == "metrics") {
      CAMBRIAN_RETURN_IF_ERROR(ParseMetrics(value, &report));
    } else if (key == "feedback") {
      if (!value.is_string()) {
        return Malformed(
            absl::StrCat("\"feedback\" is ", value.type_name(), ", expected a string"));
      }
      report.feedback = TruncateWithMark(value.get<std::string>(), kMaxFeedbackBytes, "feedback");
    } else {
      return Malformed(absl::StrCat("unknown key '", QuoteForNote(key, kMaxMetricNameBytes),
                                    "' (expected \"metrics\" or \"feedback\")"));
    }
  }
  return report;
}

absl::StatusOr<std::optional<StageReport>> ReadStageReport(const fs::path& out_dir) {
  // The job owns the directory and may race a check against the read (swap
  // the file for a symlink to a secret between the two): open without
  // following links, at every step, and check the file that was opened.
  int dir = open(out_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return Malformed("its directory is not a plain directory");
  int fd = openat(dir, kMetricsFileName, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  const int open_errno = errno;
  close(dir);
  if (fd < 0) {
    if (open_errno == ENOENT) return std::nullopt;
    return Malformed(open_errno == ELOOP ? "it is not a regular file"
                                         : absl::StrCat("cannot open it: ", strerror(open_errno)));
  }
  std::string text;
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return Malformed("it is not a regular file");
  }
  if (info.st_size > kMaxMetricsFileBytes) {
    close(fd);
    return Malformed(absl::StrCat("it is ", info.st_size, " bytes, over the limit of ",
                                  kMaxMetricsFileBytes, " bytes"));
  }
  char buffer[8192];
  ssize_t got;
  // Bounded even if the job keeps appending while we read.
  while (static_cast<int64_t>(text.size()) <= kMaxMetricsFileBytes &&
         (got = read(fd, buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<size_t>(got));
  }
  close(fd);
  if (static_cast<int64_t>(text.size()) > kMaxMetricsFileBytes) {
    return Malformed(absl::StrCat("it grew over the limit of ", kMaxMetricsFileBytes, " bytes"));
  }
  CAMBRIAN_ASSIGN_OR_RETURN(StageReport report, ParseStageReport(text));
  return report;
}

}  // namespace cambrian::evaluator
