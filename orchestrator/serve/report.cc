#include "orchestrator/serve/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/status_macros.h"
#include "orchestrator/serve/assets.h"

namespace cambrian::orchestrator {

using nlohmann::json;

std::string ScriptSafeJson(const json& value) {
  // '<' occurs in JSON only inside strings, where \u003c means the same: no
  // "</script>" or "<!--" can end or bend the element.
  return absl::StrReplaceAll(value.dump(-1, ' ', false, json::error_handler_t::replace),
                             {{"<", "\\u003c"}});
}

absl::StatusOr<std::string> ReportHtml(const ServedRun& run, int max_candidates) {
  CAMBRIAN_ASSIGN_OR_RETURN(json run_json, RunJson(run));
  json data = {{"runs", RunsJson({run})}};
  int included = 0;
  for (const json& c : run_json["candidates"]) {  // best first
    if (included++ >= max_candidates) break;
    const int64_t id = c["id"].get<int64_t>();
    CAMBRIAN_ASSIGN_OR_RETURN(json detail, CandidateDetailJson(run, id));
    data[absl::StrCat("run/", run.key, "/candidate/", id)] = std::move(detail);
  }
  run_json["running"] = false;  // a snapshot does not refresh
  data[absl::StrCat("run/", run.key)] = std::move(run_json);
  // The page's own script reads the data element; nothing in the data runs.
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"data:,\">\n"
      "<title>Cambrian report: ",
      absl::StrReplaceAll(run.key, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}}),
      "</title>\n<style>\n", kAppCss,
      "</style>\n</head>\n<body>\n<header><a href=\"#/\" id=\"home\">Cambrian</a> <span "
      "id=\"where\"></span> <span id=\"live\"></span></header>\n<main id=\"main\"></main>\n"
      "<script type=\"application/json\" id=\"cambrian-data\">",
      ScriptSafeJson(data),
      "</script>\n<script>\nwindow.CAMBRIAN_DATA = "
      "JSON.parse(document.getElementById(\"cambrian-data\").textContent);\n</script>\n<script>\n",
      kAppJs, "</script>\n</body>\n</html>\n");
}

}  // namespace cambrian::orchestrator
