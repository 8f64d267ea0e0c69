// The job protocol's report file: $CAMBRIAN_OUT/metrics.json, written by a
// stage to report what it measured (see docs/tasks.md):
//   {"metrics": {"gflops": 41.2, "correct": true}, "feedback": "optional text"}
#ifndef CAMBRIAN_EVALUATOR_METRICS_FILE_H_
#define CAMBRIAN_EVALUATOR_METRICS_FILE_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace cambrian::evaluator {

inline constexpr char kMetricsFileName[] = "metrics.json";
// A larger report is refused unread: it is written by untrusted code.
inline constexpr int64_t kMaxMetricsFileBytes = int64_t{1} << 20;
// Deeper nesting than a report needs ({"metrics": {...}} is 2) is refused
// before parsing: a deep array would exhaust the stack of whatever walks it.
inline constexpr int kMaxReportDepth = 8;
// More metrics, or longer names, are refused: they would flood the archive
// and every prompt built from the candidate.
inline constexpr size_t kMaxMetrics = 256;
inline constexpr size_t kMaxMetricNameBytes = 64;
// Longer feedback is kept cut, with a mark saying how much was dropped.
inline constexpr size_t kMaxFeedbackBytes = 4096;

struct StageReport {
  Metrics metrics;       // booleans become 1 and 0
  std::string feedback;  // empty if the stage gave none
};

// Parses the text of a metrics.json. Both keys are optional; any other key is
// an error (it is most likely a typo). InvalidArgument saying exactly what is
// wrong: not JSON (with the parser's message), nested deeper than
// kMaxReportDepth, not an object, more than kMaxMetrics metrics, a metric
// that is not a number or boolean, a non-finite number, a name that is not a
// metric name ([A-Za-z_][A-Za-z0-9_]*) or is longer than kMaxMetricNameBytes,
// a feedback that is not a string. Values and names are quoted bounded and
// escaped. Feedback longer than kMaxFeedbackBytes is cut with a mark.
[[nodiscard]] absl::StatusOr<StageReport> ParseStageReport(const std::string& text);

// Reads `out_dir`/metrics.json. nullopt if the stage wrote none. A report that
// is not a regular file (a symlink could point at a host file), is larger
// than kMaxMetricsFileBytes, cannot be read, or does not parse is an
// InvalidArgument: the job's fault, not the harness's.
[[nodiscard]] absl::StatusOr<std::optional<StageReport>> ReadStageReport(
    const std::filesystem::path& out_dir);

}  // namespace cambrian::evaluator

#endif  // CAMBRIAN_EVALUATOR_METRICS_FILE_H_
