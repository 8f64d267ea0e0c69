#include "archive/archive_checks.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "nlohmann/json.hpp"

namespace cambrian::archive {

absl::Status CheckRunInfo(const RunInfo& info) {
  if (info.goal != "maximize" && info.goal != "minimize") {
    return absl::InvalidArgumentError(
        absl::StrCat("run goal must be \"maximize\" or \"minimize\", got \"", info.goal, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckNewCandidate(const NewCandidate& candidate) {
  if (candidate.status == CandidateStatus::kDone) {
    return absl::InvalidArgumentError(
        "a new candidate cannot start as done; store its result with FinishCandidate");
  }
  if (candidate.program_hash.empty()) {
    return absl::InvalidArgumentError("a new candidate needs a program hash");
  }
  for (const auto& parent : {candidate.parent_id, candidate.second_parent_id}) {
    if (parent.has_value() && *parent <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("parent id ", *parent, " is not positive"));
    }
  }
  if (candidate.llm_call_id.has_value() && *candidate.llm_call_id <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("llm call id ", *candidate.llm_call_id, " is not positive"));
  }
  return absl::OkStatus();
}

absl::Status CheckCandidateResult(const CandidateResult& result) {
  for (const auto& [name, value] : result.metrics) {
    // JSON has no NaN or infinity, and a score built on one is meaningless.
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("metric \"", name, "\" is not finite (", value, ")"));
    }
  }
  for (const auto& [name, value] : result.objectives) {
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("objective \"", name, "\" is not finite (", value, ")"));
    }
  }
  if (!result.objectives.empty() && !result.fitness.has_value()) {
    return absl::InvalidArgumentError("objectives are only stored with a fitness");
  }
  if (result.fitness.has_value()) {
    if (!std::isfinite(*result.fitness)) {
      return absl::InvalidArgumentError(
          absl::StrCat("fitness is not finite (", *result.fitness, ")"));
    }
    if (result.outcome != Outcome::kOk) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a fitness is only stored for outcome ok, not ", Sv(OutcomeName(result.outcome))));
    }
  }
  if (!result.run_state.empty()) return CheckRunState(result.run_state);
  return absl::OkStatus();
}

absl::Status CheckStatusChange(CandidateStatus status) {
  if (status == CandidateStatus::kDone) {
    return absl::InvalidArgumentError(
        "a candidate becomes done only through FinishCandidate, with its result");
  }
  return absl::OkStatus();
}

absl::Status CheckEvent(const std::string& kind, const std::string& data_json) {
  if (kind.empty()) return absl::InvalidArgumentError("an event needs a kind");
  // Parse without exceptions: nothing thrown may leave the module.
  const nlohmann::json parsed =
      nlohmann::json::parse(data_json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event \"", kind, "\" data is not a JSON object: ", data_json.substr(0, 80)));
  }
  return absl::OkStatus();
}

absl::Status CheckRunState(const std::string& state_json) {
  const nlohmann::json parsed =
      nlohmann::json::parse(state_json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat("run state is not a JSON object: ", state_json.substr(0, 80)));
  }
  return absl::OkStatus();
}

absl::Status CheckLimit(int limit) {
  if (limit < 0) return absl::InvalidArgumentError(absl::StrCat("limit ", limit, " is negative"));
  return absl::OkStatus();
}

absl::Status CheckLlmCall(const LlmCall& call) {
  const std::pair<const char*, const std::string*> required[] = {{"provider", &call.provider},
                                                                 {"model", &call.model},
                                                                 {"prompt_hash", &call.prompt_hash},
                                                                 {"outcome", &call.outcome}};
  for (const auto& [name, value] : required) {
    if (value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat("an LLM call needs a ", name));
    }
  }
  if (call.input_tokens < 0 || call.output_tokens < 0 || call.attempts < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "LLM call token and attempt counts must not be negative (input ", call.input_tokens,
        ", output ", call.output_tokens, ", attempts ", call.attempts, ")"));
  }
  // !(x >= 0) also catches NaN.
  if (!(call.cost_usd >= 0) || !std::isfinite(call.cost_usd) || !(call.latency_seconds >= 0) ||
      !std::isfinite(call.latency_seconds)) {
    return absl::InvalidArgumentError(absl::StrCat("LLM call cost (", call.cost_usd,
                                                   ") and latency (", call.latency_seconds,
                                                   ") must be finite and not negative"));
  }
  if (call.parent_id.has_value() && *call.parent_id <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("parent id ", *call.parent_id, " is not positive"));
  }
  return absl::OkStatus();
}

bool IsReusableLlmOutcome(std::string_view outcome) {
  return outcome == "ok" || outcome == "rejected" || outcome == "cached";
}

bool IsBilledLlmOutcome(std::string_view outcome) {
  return outcome != "cached" && outcome != "budget";
}

}  // namespace cambrian::archive
