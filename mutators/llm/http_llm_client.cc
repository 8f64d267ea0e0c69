#include "mutators/llm/http_llm_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "mutators/llm/anthropic_wire.h"
#include "mutators/llm/llm_error.h"
#include "mutators/llm/openai_wire.h"
#include "mutators/llm/redact.h"
#include "mutators/llm/wire_json.h"

namespace cambrian::mutators {
namespace {

absl::StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 408:
      return absl::StatusCode::kDeadlineExceeded;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    default:
      if (status >= 400 && status < 500) return absl::StatusCode::kInvalidArgument;
      return absl::StatusCode::kUnavailable;  // 5xx (529 "overloaded" too), stray 1xx/3xx
  }
}

bool RetryableHttpStatus(int status) { return status == 408 || status == 429 || status >= 500; }

}  // namespace

HttpLlmClient::HttpLlmClient(ModelConfig config, std::string key, HttpTransport& transport,
                             HttpLlmOptions options)
    : config_(std::move(config)), key_(std::move(key)), transport_(transport), options_(options) {}

HttpRequest HttpLlmClient::BuildRequest(const LlmRequest& request) const {
  LlmRequest filled = request;
  if (filled.model.empty()) filled.model = config_.model;
  HttpRequest http;
  const bool openai = config_.provider == Provider::kOpenAi;
  http.url = openai ? OpenAiUrl(config_.base_url) : AnthropicUrl(config_.base_url);
  http.headers = openai ? OpenAiHeaders(key_) : AnthropicHeaders(key_);
  http.body = openai ? OpenAiRequestBody(filled) : AnthropicRequestBody(filled);
  http.connect_timeout = config_.connect_timeout;
  http.total_timeout = config_.timeout;
  http.max_response_bytes = options_.max_response_bytes;
  return http;
}

absl::Status HttpLlmClient::ErrorFromResponse(const HttpResponse& response) const {
  // Redact before ErrorMessage truncates, so no half of a key survives.
  const std::string message = wire::ErrorMessage(Redact(response.body, {key_}));
  LlmErrorDetail detail;
  detail.http_status = response.status;
  detail.retryable = RetryableHttpStatus(response.status);
  if (auto it = response.headers.find("retry-after"); it != response.headers.end()) {
    detail.retry_after = it->second;
  }
  absl::Status status(CodeForHttpStatus(response.status),
                      absl::StrCat("HTTP ", response.status, ": ", message));
  return WithLlmErrorDetail(std::move(status), detail);
}

absl::Status HttpLlmClient::Finish(absl::Status status, int http_status) const {
  if (!GetLlmErrorDetail(status).has_value()) {
    LlmErrorDetail detail;  // a transport failure, or a reply that did not parse
    detail.http_status = http_status;
    detail.retryable = absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
    status = WithLlmErrorDetail(std::move(status), detail);
  }
  absl::Status prefixed(status.code(), absl::StrCat(ProviderName(config_.provider), " ",
                                                    config_.model, ": ", status.message()));
  status.ForEachPayload([&prefixed](absl::string_view url, const absl::Cord& payload) {
    prefixed.SetPayload(url, payload);
  });
  return RedactStatus(prefixed, {key_});
}

absl::StatusOr<LlmResponse> HttpLlmClient::Complete(const LlmRequest& request) {
  const absl::Time start = absl::Now();
  absl::StatusOr<HttpResponse> response = transport_.Post(BuildRequest(request));
  if (!response.ok()) return Finish(response.status(), 0);
  if (response->status < 200 || response->status >= 300) {
    return Finish(ErrorFromResponse(*response), response->status);
  }
  absl::StatusOr<LlmResponse> reply = config_.provider == Provider::kOpenAi
                                          ? ParseOpenAiReply(response->body)
                                          : ParseAnthropicReply(response->body);
  if (!reply.ok()) return Finish(reply.status(), response->status);
  reply->attempts = 1;
  reply->latency = absl::Now() - start;
  return reply;
}

absl::StatusOr<std::unique_ptr<LlmClient>> MakeLlmClient(const ModelConfig& config,
                                                         HttpTransport& transport,
                                                         HttpLlmOptions options) {
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::string key,
      KeyFromEnvironment(config.key_env,
                         absl::StrCat(ProviderName(config.provider), ":", config.model)));
  return std::make_unique<HttpLlmClient>(config, std::move(key), transport, options);
}

}  // namespace cambrian::mutators
