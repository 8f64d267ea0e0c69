#include "archive/archive_checks.h"

#include <cmath>

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

absl::Status CheckLimit(int limit) {
  if (limit < 0) return absl::InvalidArgumentError(absl::StrCat("limit ", limit, " is negative"));
  return absl::OkStatus();
}

}  // namespace cambrian::archive
