// The Anthropic messages wire format.
//   POST {base_url}/v1/messages
//   x-api-key: KEY, anthropic-version: 2023-06-01
//   {"model", "system", "messages": [{"role", "content"}], "max_tokens",
//    "temperature"}
#ifndef CAMBRIAN_MUTATORS_LLM_ANTHROPIC_WIRE_H_
#define CAMBRIAN_MUTATORS_LLM_ANTHROPIC_WIRE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "mutators/llm/llm_client.h"

namespace cambrian::mutators {

inline constexpr char kAnthropicBaseUrl[] = "https://api.anthropic.com";
inline constexpr char kAnthropicVersion[] = "2023-06-01";

// The endpoint for `base_url` ("" = kAnthropicBaseUrl; a trailing '/' is fine).
std::string AnthropicUrl(const std::string& base_url);

// Content-Type, anthropic-version, and x-api-key when `key` is not empty.
std::vector<std::pair<std::string, std::string>> AnthropicHeaders(const std::string& key);

// The request body; "system" is left out when the request has none.
std::string AnthropicRequestBody(const LlmRequest& request);

// A 2xx body: text = the concatenated "text" blocks of content (other block
// kinds, such as thinking, are skipped), stop_reason, usage (input_tokens,
// plus any cache_creation_input_tokens and cache_read_input_tokens, and
// output_tokens; required), model. Errors:
//   DataLoss            not JSON, or content/usage missing or mistyped
//   FailedPrecondition  "refused: ..." (stop_reason "refusal") or "empty reply"
//   Unavailable         the body is an {"type": "error"} object
// stop_reason "max_tokens" is not an error. Errors carry an LlmErrorDetail
// with the reported usage.
[[nodiscard]] absl::StatusOr<LlmResponse> ParseAnthropicReply(const std::string& body);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_ANTHROPIC_WIRE_H_
