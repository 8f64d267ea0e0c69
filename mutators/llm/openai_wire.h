// The OpenAI chat completions wire format, spoken by OpenAI, vLLM, Ollama,
// llama.cpp's server and OpenRouter.
//   POST {base_url}/chat/completions   Authorization: Bearer KEY
//   {"model", "messages": [{"role": "system"|"user"|"assistant", "content"}],
//    "temperature", "max_tokens"}
// It sends "max_tokens", which every compatible server accepts; OpenAI's
// reasoning models (o1, o3, ...) want "max_completion_tokens" and a default
// temperature instead and answer 400 to this request.
#ifndef CAMBRIAN_MUTATORS_LLM_OPENAI_WIRE_H_
#define CAMBRIAN_MUTATORS_LLM_OPENAI_WIRE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "mutators/llm/llm_client.h"

namespace cambrian::mutators {

inline constexpr char kOpenAiBaseUrl[] = "https://api.openai.com/v1";

// The endpoint for `base_url` ("" = kOpenAiBaseUrl; a trailing '/' is fine).
std::string OpenAiUrl(const std::string& base_url);

// Content-Type, and Authorization when `key` is not empty.
std::vector<std::pair<std::string, std::string>> OpenAiHeaders(const std::string& key);

// The request body; the system prompt becomes the first message.
std::string OpenAiRequestBody(const LlmRequest& request);

// A 2xx body: text = choices[0].message.content, finish_reason, usage
// (prompt_tokens, completion_tokens; required), model. Errors:
//   DataLoss            not JSON, or choices/message/usage missing or mistyped
//   FailedPrecondition  "refused: ..." (message.refusal set, or finish_reason
//                       content_filter with no text) or "empty reply"
//   Unavailable         the body is an {"error": ...} object (OpenRouter
//                       reports upstream failures so with status 200)
// finish_reason "length" is not an error. Errors carry an LlmErrorDetail with
// the reported usage.
[[nodiscard]] absl::StatusOr<LlmResponse> ParseOpenAiReply(const std::string& body);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_OPENAI_WIRE_H_
