// `cambrian report RUN_DIR --html FILE`: the dashboard's views of one run as
// one self-contained HTML file (script, style and data inline), to share or
// keep; it opens from disk with no server and no network.
#ifndef CAMBRIAN_ORCHESTRATOR_SERVE_REPORT_H_
#define CAMBRIAN_ORCHESTRATOR_SERVE_REPORT_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "orchestrator/serve/dashboard_data.h"

namespace cambrian::orchestrator {

// The page. Candidate pages are included for the best `max_candidates` (by
// fitness, then id); the leaderboard and plots cover every candidate.
absl::StatusOr<std::string> ReportHtml(const ServedRun& run, int max_candidates = 1000);

// JSON text safe inside an HTML <script> element: every '<' escaped.
std::string ScriptSafeJson(const nlohmann::json& value);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_SERVE_REPORT_H_
