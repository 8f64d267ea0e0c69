#include "mutators/llm/anthropic_wire.h"

#include "absl/strings/str_cat.h"
#include "mutators/llm/wire_json.h"

namespace cambrian::mutators {
namespace {

using nlohmann::json;

// Prompt-cache reads and writes are input too; they are zero unless a
// request asks for caching, which ours do not.
std::optional<int64_t> InputTokens(const json& usage) {
  std::optional<int64_t> input = wire::CountField(usage, "input_tokens");
  if (!input.has_value()) return std::nullopt;
  return *input + wire::CountField(usage, "cache_creation_input_tokens").value_or(0) +
         wire::CountField(usage, "cache_read_input_tokens").value_or(0);
}

}  // namespace

std::string AnthropicUrl(const std::string& base_url) {
  return wire::Endpoint(base_url, kAnthropicBaseUrl, "/v1/messages");
}

std::vector<std::pair<std::string, std::string>> AnthropicHeaders(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Type", "application/json"}, {"anthropic-version", kAnthropicVersion}};
  if (!key.empty()) headers.emplace_back("x-api-key", key);
  return headers;
}

std::string AnthropicRequestBody(const LlmRequest& request) {
  json body = {{"model", request.model},
               {"messages", wire::MessagesJson(request.messages)},
               {"max_tokens", request.max_tokens},
               {"temperature", request.temperature}};
  if (!request.system.empty()) body["system"] = request.system;
  if (!request.stop.empty()) body["stop_sequences"] = request.stop;
  return wire::Dump(body);
}

absl::StatusOr<LlmResponse> ParseAnthropicReply(const std::string& body) {
  auto parsed = wire::ParseObject(body);
  if (!parsed.ok()) return parsed.status();
  const json& reply = *parsed;
  if (wire::StringField(reply, "type") == "error" || reply.contains("error")) {
    return wire::ErrorIn200(body);
  }
  auto content = reply.find("content");
  if (content == reply.end() || !content->is_array()) return wire::Malformed("no content");
  auto usage = reply.find("usage");
  if (usage == reply.end() || !usage->is_object()) return wire::Malformed("no usage");
  std::optional<int64_t> input = InputTokens(*usage);
  std::optional<int64_t> output = wire::CountField(*usage, "output_tokens");
  if (!input.has_value() || !output.has_value()) return wire::Malformed("no token counts in usage");
  LlmResponse response;
  response.input_tokens = *input;
  response.output_tokens = *output;
  response.model = wire::StringField(reply, "model").value_or("");
  response.finish_reason = wire::StringField(reply, "stop_reason").value_or("");
  for (const json& block : *content) {
    if (!block.is_object()) return wire::Malformed("a content block is not an object");
    if (wire::StringField(block, "type") == "text") {
      response.text += wire::StringField(block, "text").value_or("");
    }
  }
  if (response.finish_reason == "refusal") {
    const std::string why = response.text.empty() ? "no explanation given" : response.text;
    return wire::BilledFailure(absl::FailedPreconditionError(absl::StrCat("refused: ", why)),
                               response);
  }
  if (response.text.empty()) {
    return wire::BilledFailure(absl::FailedPreconditionError(absl::StrCat(
                                   "empty reply (stop_reason ", response.finish_reason, ")")),
                               response);
  }
  return response;
}

}  // namespace cambrian::mutators
