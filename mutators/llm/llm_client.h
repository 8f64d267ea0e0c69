// The seam to a large language model: one chat completion per call. Real
// clients speak OpenAI-compatible chat completions or Anthropic messages
// over libcurl (mutators/llm/http_llm_client.h); tests use scripted fakes or
// a real local HTTP server.
#ifndef CAMBRIAN_MUTATORS_LLM_LLM_CLIENT_H_
#define CAMBRIAN_MUTATORS_LLM_LLM_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cambrian::mutators {

struct ChatMessage {
  std::string role;  // "user" | "assistant"
  std::string content;
};

struct LlmRequest {
  std::string model;
  std::string system;  // the system prompt ("" for none)
  std::vector<ChatMessage> messages;
  double temperature = 0.7;
  int max_tokens = 4096;
  std::vector<std::string> stop;  // stop sequences; none when empty
  // A GBNF grammar the reply must follow (llama.cpp's `grammar`, sent on
  // the OpenAI wire only); none when empty.
  std::string grammar;
};

struct LlmResponse {
  std::string text;          // the assistant's reply
  int64_t input_tokens = 0;  // from the response's usage field
  int64_t output_tokens = 0;
  std::string finish_reason;  // "stop", "length", "end_turn", "max_tokens", ...
  std::string model;          // as the server reports it
  int attempts = 1;           // HTTP attempts made (retries + 1)
  absl::Duration latency;     // from the first attempt to the answer
};

// Error codes every client uses, so callers can tell what happened:
//   Unavailable        transport failure or 5xx after retries; circuit open
//   ResourceExhausted  429 after retries, or a spending cap would be crossed
//   DeadlineExceeded   the request timed out
//   Unauthenticated / PermissionDenied / InvalidArgument / NotFound   a 4xx
//   DataLoss           a malformed, truncated or oversize response body
//   FailedPrecondition an empty reply or a refusal
// Messages never contain an API key. Thread-safe.
class LlmClient {
 public:
  virtual ~LlmClient() = default;
  [[nodiscard]] virtual absl::StatusOr<LlmResponse> Complete(const LlmRequest& request) = 0;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_LLM_CLIENT_H_
