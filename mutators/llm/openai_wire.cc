#include "mutators/llm/openai_wire.h"

#include "absl/strings/str_cat.h"
#include "mutators/llm/wire_json.h"

namespace cambrian::mutators {
namespace {

using nlohmann::json;

// content is a string, null, or (some compatible servers) a list of parts.
std::string ContentText(const json& message) {
  auto content = message.find("content");
  if (content == message.end()) return "";
  if (content->is_string()) return content->get<std::string>();
  std::string text;
  if (content->is_array()) {
    for (const json& part : *content) {
      if (part.is_object()) text += wire::StringField(part, "text").value_or("");
    }
  }
  return text;
}

}  // namespace

std::string OpenAiUrl(const std::string& base_url) {
  return wire::Endpoint(base_url, kOpenAiBaseUrl, "/chat/completions");
}

std::vector<std::pair<std::string, std::string>> OpenAiHeaders(const std::string& key) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  if (!key.empty()) headers.emplace_back("Authorization", absl::StrCat("Bearer ", key));
  return headers;
}

std::string OpenAiRequestBody(const LlmRequest& request) {
  json messages = wire::MessagesJson(request.messages);
  if (!request.system.empty()) {
    messages.insert(messages.begin(),
                    json::object({{"role", "system"}, {"content", request.system}}));
  }
  json body = {{"model", request.model},
               {"messages", std::move(messages)},
               {"temperature", request.temperature},
               {"max_tokens", request.max_tokens}};
  if (!request.stop.empty()) body["stop"] = request.stop;
  if (!request.grammar.empty()) body["grammar"] = request.grammar;
  return wire::Dump(body);
}

absl::StatusOr<LlmResponse> ParseOpenAiReply(const std::string& body) {
  auto parsed = wire::ParseObject(body);
  if (!parsed.ok()) return parsed.status();
  const json& reply = *parsed;
  if (reply.contains("error") && !reply.contains("choices")) return wire::ErrorIn200(body);
  auto choices = reply.find("choices");
  if (choices == reply.end() || !choices->is_array() || choices->empty() ||
      !(*choices)[0].is_object()) {
    return wire::Malformed("no choices");
  }
  const json& choice = (*choices)[0];
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) return wire::Malformed("no message");
  auto usage = reply.find("usage");
  if (usage == reply.end() || !usage->is_object()) return wire::Malformed("no usage");
  LlmResponse response;
  std::optional<int64_t> input = wire::CountField(*usage, "prompt_tokens");
  std::optional<int64_t> output = wire::CountField(*usage, "completion_tokens");
  if (!input.has_value() || !output.has_value()) return wire::Malformed("no token counts in usage");
  response.input_tokens = *input;
  response.output_tokens = *output;
  response.model = wire::StringField(reply, "model").value_or("");
  response.finish_reason = wire::StringField(choice, "finish_reason").value_or("");
  response.text = ContentText(*message);

  std::optional<std::string> refusal = wire::StringField(*message, "refusal");
  if (refusal.has_value() && !refusal->empty()) {
    return wire::BilledFailure(absl::FailedPreconditionError(absl::StrCat("refused: ", *refusal)),
                               response);
  }
  if (response.text.empty() && response.finish_reason == "content_filter") {
    return wire::BilledFailure(absl::FailedPreconditionError("refused: content filter"), response);
  }
  if (response.text.empty()) {
    return wire::BilledFailure(absl::FailedPreconditionError(absl::StrCat(
                                   "empty reply (finish_reason ", response.finish_reason, ")")),
                               response);
  }
  return response;
}

}  // namespace cambrian::mutators
