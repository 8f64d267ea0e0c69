#include "mutators/llm/wire_json.h"

#include "absl/strings/str_cat.h"
#include "mutators/llm/llm_error.h"

namespace cambrian::mutators::wire {

absl::StatusOr<nlohmann::json> ParseObject(const std::string& body) {
  // The non-throwing parse: a bad body is data, not an exception.
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Malformed(absl::StrCat("not valid JSON (", body.size(), " bytes)"));
  }
  if (!value.is_object()) return Malformed("not a JSON object");
  return value;
}

std::optional<std::string> StringField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<int64_t> CountField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  const int64_t value = it->get<int64_t>();
  if (value < 0) return std::nullopt;
  return value;
}

absl::Status Malformed(const std::string& what) {
  return absl::DataLossError(absl::StrCat("malformed reply: ", what));
}

std::string ErrorMessage(const std::string& body) {
  constexpr size_t kMax = 1000;
  std::string message;
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_object()) {
    auto error = value.find("error");
    if (error != value.end() && error->is_object()) {
      message = StringField(*error, "message").value_or("");
    } else if (error != value.end() && error->is_string()) {
      message = error->get<std::string>();
    } else {
      message = StringField(value, "message").value_or(StringField(value, "detail").value_or(""));
    }
  }
  if (message.empty()) message = body;
  if (message.size() > kMax) message = absl::StrCat(message.substr(0, kMax), "...");
  return message;
}

std::string Endpoint(const std::string& base_url, const char* default_base, const char* path) {
  std::string base = base_url.empty() ? default_base : base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return absl::StrCat(base, path);
}

nlohmann::json MessagesJson(const std::vector<ChatMessage>& messages) {
  nlohmann::json array = nlohmann::json::array();
  for (const ChatMessage& message : messages) {
    array.push_back({{"role", message.role}, {"content", message.content}});
  }
  return array;
}

absl::Status BilledFailure(absl::Status status, const LlmResponse& usage) {
  LlmErrorDetail detail;
  detail.http_status = 200;
  detail.input_tokens = usage.input_tokens;
  detail.output_tokens = usage.output_tokens;
  return WithLlmErrorDetail(std::move(status), detail);
}

absl::Status ErrorIn200(const std::string& body) {
  LlmErrorDetail detail;
  detail.retryable = true;
  detail.http_status = 200;
  return WithLlmErrorDetail(
      absl::UnavailableError(absl::StrCat("error in a 200 reply: ", ErrorMessage(body))), detail);
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cambrian::mutators::wire
