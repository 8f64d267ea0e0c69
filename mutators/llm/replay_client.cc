#include "mutators/llm/replay_client.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "mutators/llm/prompt_hash.h"

namespace cambrian::mutators {

ReplayLlmClient::ReplayLlmClient(LlmCallLog* recorded) : recorded_(recorded) {}

absl::StatusOr<LlmResponse> ReplayLlmClient::Complete(const LlmRequest& request) {
  const std::string hash = PromptHash(request);
  absl::StatusOr<std::optional<std::string>> reply = recorded_->CachedResponse(request.model, hash);
  if (!reply.ok()) return Annotate(reply.status(), "reading the recorded LLM calls");
  if (!reply->has_value()) {
    // Twelve hex digits are enough to find the call in llm_calls by hand.
    return absl::FailedPreconditionError(absl::StrCat("no recorded reply for this prompt (model ",
                                                      request.model, ", hash ", hash.substr(0, 12),
                                                      "...)"));
  }
  LlmResponse response;
  response.text = std::move(**reply);
  response.finish_reason = "replay";
  response.model = request.model;
  response.attempts = 0;  // nothing was sent
  response.latency = absl::ZeroDuration();
  return response;
}

}  // namespace cambrian::mutators
