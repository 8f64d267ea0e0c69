// Where LLM mutators record every call and look up earlier answers. The
// orchestrator implements it over the archive (mutators know no database).
#ifndef CAMBRIAN_MUTATORS_LLM_LLM_CALL_LOG_H_
#define CAMBRIAN_MUTATORS_LLM_LLM_CALL_LOG_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cambrian::mutators {

struct LlmCallRecord {
  std::string provider;  // "openai" | "anthropic" | "replay"
  std::string model;
  std::string prompt_hash;  // SHA-256 of the canonical request (model, system, messages)
  std::string prompt;       // the request's text (system + messages), never a key
  std::string response;     // the reply text ("" if none)
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  double latency_seconds = 0;
  int attempts = 0;
  // "ok" (edits applied), "rejected" (edits did not apply; see error),
  // "cached" (answered from the cache), or the failure: "http_error",
  // "timeout", "malformed", "refused", "empty", "budget", "cancelled".
  std::string outcome;
  std::string error;  // redacted
  std::optional<int64_t> parent_id;
};

// Thread-safe: proposal threads call it concurrently.
class LlmCallLog {
 public:
  virtual ~LlmCallLog() = default;
  // Stores the call and returns its id (the candidate made from it links to it).
  [[nodiscard]] virtual absl::StatusOr<int64_t> Record(const LlmCallRecord& record) = 0;
  // The reply of an earlier successful call with the same model and prompt
  // hash, if any (the response cache that makes re-runs free).
  [[nodiscard]] virtual absl::StatusOr<std::optional<std::string>> CachedResponse(
      const std::string& model, const std::string& prompt_hash) = 0;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_LLM_CALL_LOG_H_
