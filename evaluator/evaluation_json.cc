#include "evaluator/evaluation_json.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace cambrian::evaluator {
namespace {

using nlohmann::json;

json StageJson(const StageResult& stage) {
  return {{"name", stage.name},
          {"outcome", std::string(OutcomeName(stage.outcome))},
          {"note", stage.note},
          {"seed", stage.seed},
          {"exit_code", stage.job.exit_code},
          {"term_signal", stage.job.term_signal},
          {"wall_s", stage.job.wall_seconds},
          {"cpu_s", stage.job.cpu_seconds},
          {"peak_rss_bytes", stage.job.peak_rss_bytes},
          {"output_bytes", stage.job.output_bytes},
          {"output_tail", stage.job.output_tail},
          {"detail", stage.job.detail},
          {"judged", stage.judge.has_value()}};
}

absl::Status Bad(const std::string& what) {
  return absl::DataLossError(absl::StrCat("evaluation result: ", what));
}

absl::StatusOr<Outcome> OutcomeOf(const json& object, const std::string& where) {
  const json outcome = object.value("outcome", json());
  std::optional<Outcome> parsed =
      outcome.is_string() ? ParseOutcome(outcome.get<std::string>()) : std::nullopt;
  if (!parsed) return Bad(absl::StrCat(where, " has no known outcome"));
  return *parsed;
}

absl::StatusOr<StageResult> StageFromJson(const json& entry, size_t index) {
  const std::string where = absl::StrCat("stage ", index + 1);
  if (!entry.is_object() || !entry.value("name", json()).is_string()) {
    return Bad(absl::StrCat(where, " has no name"));
  }
  StageResult stage;
  stage.name = entry["name"].get<std::string>();
  absl::StatusOr<Outcome> outcome = OutcomeOf(entry, where);
  if (!outcome.ok()) return outcome.status();
  stage.outcome = stage.job.outcome = *outcome;
  stage.note = entry.value("note", "");
  stage.seed = entry.value("seed", uint64_t{0});
  stage.job.exit_code = entry.value("exit_code", -1);
  stage.job.term_signal = entry.value("term_signal", 0);
  stage.job.wall_seconds = entry.value("wall_s", 0.0);
  stage.job.cpu_seconds = entry.value("cpu_s", 0.0);
  stage.job.peak_rss_bytes = entry.value("peak_rss_bytes", int64_t{0});
  stage.job.output_bytes = entry.value("output_bytes", int64_t{0});
  stage.job.output_tail = entry.value("output_tail", "");
  stage.job.detail = entry.value("detail", "");
  if (entry.value("judged", false)) stage.judge = sandbox::JobResult{};
  return stage;
}

absl::Status ReadMetrics(const json& metrics, Metrics& out) {
  if (metrics.is_null()) return absl::OkStatus();
  if (!metrics.is_object()) return Bad("metrics is not an object");
  for (const auto& [name, value] : metrics.items()) {
    if (value.is_null()) {  // written for a NaN or an infinity
      out[name] = std::nan("");
      continue;
    }
    if (!value.is_number()) return Bad(absl::StrCat("metric '", name, "' is not a number"));
    out[name] = value.get<double>();
  }
  return absl::OkStatus();
}

json MetricsJson(const Metrics& metrics) {
  json out = json::object();
  // JSON has no NaN or infinity; such a metric goes as null.
  for (const auto& [name, value] : metrics) out[name] = std::isfinite(value) ? json(value) : json();
  return out;
}

}  // namespace

std::string EvaluationToJson(const Evaluation& evaluation) {
  json stages = json::array();
  for (const StageResult& stage : evaluation.stages) stages.push_back(StageJson(stage));
  json out = {{"outcome", std::string(OutcomeName(evaluation.outcome))},
              {"fitness", evaluation.fitness ? json(*evaluation.fitness) : json()},
              {"metrics", MetricsJson(evaluation.metrics)},
              {"objectives", MetricsJson(evaluation.objectives)},
              {"feedback", evaluation.feedback},
              {"note", evaluation.note},
              {"stages", stages}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<Evaluation> EvaluationFromJson(const std::string& text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return Bad("not a JSON object");
  Evaluation evaluation;
  absl::StatusOr<Outcome> outcome = OutcomeOf(document, "the evaluation");
  if (!outcome.ok()) return outcome.status();
  evaluation.outcome = *outcome;
  const json fitness = document.value("fitness", json());
  if (!fitness.is_null()) {
    if (!fitness.is_number() || !std::isfinite(fitness.get<double>())) return Bad("bad fitness");
    evaluation.fitness = fitness.get<double>();
  }
  for (const auto& [key, into] : {std::pair{"metrics", &evaluation.metrics},
                                  std::pair{"objectives", &evaluation.objectives}}) {
    if (absl::Status status = ReadMetrics(document.value(key, json()), *into); !status.ok()) {
      return status;
    }
  }
  evaluation.feedback = document.value("feedback", "");
  evaluation.note = document.value("note", "");
  const json stages = document.value("stages", json::array());
  if (!stages.is_array()) return Bad("stages is not a list");
  for (size_t i = 0; i < stages.size(); ++i) {
    absl::StatusOr<StageResult> stage = StageFromJson(stages[i], i);
    if (!stage.ok()) return stage.status();
    evaluation.stages.push_back(*std::move(stage));
  }
  return evaluation;
}

}  // namespace cambrian::evaluator
