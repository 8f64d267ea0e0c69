#include "mutators/llm/server_probe.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace cambrian::mutators {
namespace {

using nlohmann::json;

std::optional<json> GetJson(HttpTransport& transport, const std::string& url) {
  HttpRequest request;
  request.url = url;
  request.connect_timeout = absl::Seconds(2);
  request.total_timeout = absl::Seconds(5);
  request.max_response_bytes = 1 << 20;
  absl::StatusOr<HttpResponse> response = transport.Get(request);
  if (!response.ok() || response->status != 200) return std::nullopt;
  json body = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return std::nullopt;
  return body;
}

std::optional<int64_t> PositiveInt(const json& value) {
  if (!value.is_number_integer() || value.get<int64_t>() <= 0) return std::nullopt;
  return value.get<int64_t>();
}

// llama.cpp: {"total_slots": 2, "default_generation_settings": {"n_ctx": 4096, ...}}.
ServerLimits FromLlamaProps(const json& props) {
  ServerLimits limits;
  if (!props.contains("total_slots")) return limits;
  limits.server = "llama.cpp";
  if (std::optional<int64_t> slots = PositiveInt(props["total_slots"])) {
    limits.slots = static_cast<int>(*slots);
  }
  const json settings = props.value("default_generation_settings", json::object());
  if (settings.is_object() && settings.contains("n_ctx")) {
    limits.context_tokens = PositiveInt(settings["n_ctx"]);
  }
  return limits;
}

// vLLM: {"data": [{"id": MODEL, "max_model_len": 16384, ...}]}.
ServerLimits FromModels(const json& models, const std::string& model) {
  ServerLimits limits;
  const json data = models.value("data", json::array());
  if (!data.is_array()) return limits;
  for (const json& entry : data) {
    if (!entry.is_object() || !entry.contains("max_model_len")) continue;
    if (entry.value("id", "") != model && data.size() > 1) continue;
    limits.server = "vLLM";
    limits.context_tokens = PositiveInt(entry["max_model_len"]);
    return limits;
  }
  return limits;
}

}  // namespace

std::string ServerRoot(const std::string& base_url) {
  absl::string_view root = absl::StripSuffix(base_url, "/");
  root = absl::StripSuffix(root, "/v1");
  return std::string(root);
}

ServerLimits ProbeServer(HttpTransport& transport, const ModelConfig& model) {
  if (model.provider != Provider::kOpenAi || model.base_url.empty() ||
      absl::StrContains(model.base_url, "api.openai.com")) {
    return {};
  }
  if (std::optional<json> props = GetJson(transport, ServerRoot(model.base_url) + "/props")) {
    ServerLimits limits = FromLlamaProps(*props);
    if (!limits.server.empty()) return limits;
  }
  std::string models_url = std::string(absl::StripSuffix(model.base_url, "/")) + "/models";
  if (std::optional<json> models = GetJson(transport, models_url)) {
    return FromModels(*models, model.model);
  }
  return {};
}

}  // namespace cambrian::mutators
