#include "evaluator/metrics_file.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "evaluator/expression.h"

namespace cambrian::evaluator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

absl::Status Malformed(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("malformed ", kMetricsFileName, ": ", what));
}

absl::StatusOr<double> MetricValue(const std::string& name, const json& value) {
  if (!IsMetricName(name)) {
    return Malformed(
        absl::StrCat("metric name '", name, "' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)"));
  }
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (!value.is_number()) {
    return Malformed(absl::StrCat("metric '", name, "' is ", value.type_name(), " ", value.dump(),
                                  ", expected a number or a boolean"));
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
  for (const auto& [name, value] : metrics.items()) {
    CAMBRIAN_ASSIGN_OR_RETURN(report->metrics[name], MetricValue(name, value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StageReport> ParseStageReport(const std::string& text) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& error) {
    return Malformed(absl::StrCat("not valid JSON (", error.what(), ")"));
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
      report.feedback = value.get<std::string>();
    } else {
      return Malformed(
          absl::StrCat("unknown key '", key, "' (expected \"metrics\" or \"feedback\")"));
    }
  }
  return report;
}

absl::StatusOr<std::optional<StageReport>> ReadStageReport(const fs::path& out_dir) {
  const fs::path path = out_dir / kMetricsFileName;
  std::error_code ec;
  fs::file_status status = fs::symlink_status(path, ec);
  if (status.type() == fs::file_type::not_found) return std::nullopt;
  if (ec || status.type() != fs::file_type::regular) {
    return Malformed("it is not a regular file");
  }
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return Malformed(absl::StrCat("cannot stat it: ", ec.message()));
  if (size > static_cast<uintmax_t>(kMaxMetricsFileBytes)) {
    return Malformed(
        absl::StrCat("it is ", size, " bytes, over the limit of ", kMaxMetricsFileBytes, " bytes"));
  }
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return Malformed(absl::StrCat("cannot read it: ", text.status().message()));
  CAMBRIAN_ASSIGN_OR_RETURN(StageReport report, ParseStageReport(*text));
  return report;
}

}  // namespace cambrian::evaluator
