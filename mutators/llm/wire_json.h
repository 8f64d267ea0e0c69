// JSON helpers shared by the provider wire formats (openai_wire.cc,
// anthropic_wire.cc). Internal to mutators/llm: the only headers that expose
// nlohmann::json.
#ifndef CAMBRIAN_MUTATORS_LLM_WIRE_JSON_H_
#define CAMBRIAN_MUTATORS_LLM_WIRE_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mutators/llm/llm_client.h"
#include "nlohmann/json.hpp"

namespace cambrian::mutators::wire {

// The body as a JSON object. DataLoss "malformed reply: ..." if it is not
// valid JSON (a truncated body included) or not an object.
[[nodiscard]] absl::StatusOr<nlohmann::json> ParseObject(const std::string& body);

// object[key] if it is a string / a non-negative integer; nullopt otherwise.
std::optional<std::string> StringField(const nlohmann::json& object, const char* key);
std::optional<int64_t> CountField(const nlohmann::json& object, const char* key);

// DataLoss "malformed reply: <what>".
absl::Status Malformed(const std::string& what);

// The provider's explanation in an error body: error.message (OpenAI,
// Anthropic), a string "error" (Ollama), "message" or "detail" (other
// OpenAI-compatible servers); else the start of the raw body. At most
// 1000 characters. Redact `body` first: truncation could split a secret.
std::string ErrorMessage(const std::string& body);

// `base_url` ("" = `default_base`) without trailing '/', then `path`.
std::string Endpoint(const std::string& base_url, const char* default_base, const char* path);

// [{"role", "content"}, ...]
nlohmann::json MessagesJson(const std::vector<ChatMessage>& messages);

// A reply that arrived (status 200) but is empty or refused: `status` with
// an LlmErrorDetail carrying the usage it was billed.
absl::Status BilledFailure(absl::Status status, const LlmResponse& usage);

// Unavailable, retryable: a 200 whose body is an error object (as proxies
// such as OpenRouter send for upstream failures).
absl::Status ErrorIn200(const std::string& body);

// Serializes without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string Dump(const nlohmann::json& value);

}  // namespace cambrian::mutators::wire

#endif  // CAMBRIAN_MUTATORS_LLM_WIRE_JSON_H_
