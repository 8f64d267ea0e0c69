// LlmClient over HTTP, speaking OpenAI chat completions or Anthropic
// messages (mutators/llm/openai_wire.h, anthropic_wire.h). One attempt per
// call: wrap it in RetryingClient (mutators/llm/retrying_client.h) for
// retries and the circuit breaker.
#ifndef CAMBRIAN_MUTATORS_LLM_HTTP_LLM_CLIENT_H_
#define CAMBRIAN_MUTATORS_LLM_HTTP_LLM_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "mutators/llm/http_transport.h"
#include "mutators/llm/llm_client.h"
#include "mutators/llm/model_config.h"

namespace cambrian::mutators {

struct HttpLlmOptions {
  int64_t max_response_bytes = 8 << 20;  // a larger body is DataLoss
};

// Complete() sends one request: the request's model ("" = the config's),
// system prompt, messages, temperature and max_tokens, with the config's
// base URL and timeouts. Errors follow llm_client.h; by HTTP status:
//   400, 413, 422, other 4xx  InvalidArgument     401  Unauthenticated
//   403  PermissionDenied     404  NotFound        408  DeadlineExceeded
//   429  ResourceExhausted    5xx  Unavailable
// and transport errors as HttpTransport says. Every message starts with
// "PROVIDER MODEL: ", includes the HTTP status and the provider's own error
// message, and is redacted of the key. Every error carries an
// LlmErrorDetail (mutators/llm/llm_error.h): retryable for 408, 429, 5xx,
// transport failures and timeouts, with the Retry-After header if any.
// Thread-safe; `transport` must outlive the client.
class HttpLlmClient final : public LlmClient {
 public:
  // `key` "" sends no credentials (a local server without auth).
  HttpLlmClient(ModelConfig config, std::string key, HttpTransport& transport,
                HttpLlmOptions options = {});

  [[nodiscard]] absl::StatusOr<LlmResponse> Complete(const LlmRequest& request) override;

  const ModelConfig& config() const { return config_; }

 private:
  HttpRequest BuildRequest(const LlmRequest& request) const;
  absl::Status ErrorFromResponse(const HttpResponse& response) const;
  // Prefixes provider and model, attaches a detail if there is none yet,
  // redacts.
  absl::Status Finish(absl::Status status, int http_status) const;

  const ModelConfig config_;
  const std::string key_;
  HttpTransport& transport_;
  const HttpLlmOptions options_;
};

// An HttpLlmClient for `config`, with the key read now from the environment
// variable config.key_env. FailedPrecondition naming the variable (never its
// value) if it is unset, empty, or holds a line break; key_env "" means no
// key. The key is trimmed of surrounding whitespace. `transport` must
// outlive the client.
[[nodiscard]] absl::StatusOr<std::unique_ptr<LlmClient>> MakeLlmClient(const ModelConfig& config,
                                                                       HttpTransport& transport,
                                                                       HttpLlmOptions options = {});

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_HTTP_LLM_CLIENT_H_
