#include "mutators/llm/embedder.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/sha256.h"
#include "common/untrusted_text.h"
#include "mutators/llm/wire_json.h"
#include "nlohmann/json.hpp"

namespace cambrian::mutators {
namespace {

using nlohmann::json;

constexpr size_t kCacheEntries = 1024;

}  // namespace

std::string EmbeddingsUrl(const std::string& base_url) {
  return absl::StrCat(absl::StripSuffix(base_url, "/"), "/embeddings");
}

std::string EmbeddingsRequestBody(const std::string& model, const std::string& text) {
  return wire::Dump({{"model", model}, {"input", text}});
}

absl::StatusOr<std::vector<float>> ParseEmbeddingsReply(const std::string& body) {
  const json reply = json::parse(body, nullptr, /*allow_exceptions=*/false);
  const auto malformed = [](const char* why) {
    return absl::DataLossError(absl::StrCat("malformed embeddings reply: ", why));
  };
  if (!reply.is_object()) return malformed("not a JSON object");
  const json data = reply.value("data", json());
  if (!data.is_array() || data.empty() || !data[0].is_object()) return malformed("no data");
  const json embedding = data[0].value("embedding", json());
  if (!embedding.is_array() || embedding.empty()) return malformed("no embedding");
  std::vector<float> vector;
  vector.reserve(embedding.size());
  double norm = 0;
  for (const json& x : embedding) {
    if (!x.is_number()) return malformed("a value that is not a number");
    const double value = x.get<double>();
    if (!std::isfinite(value)) return malformed("a value that is not finite");
    vector.push_back(static_cast<float>(value));
    norm += value * value;
  }
  if (!(norm > 0) || !std::isfinite(norm)) return malformed("a zero vector");
  const double scale = 1 / std::sqrt(norm);
  for (float& x : vector) x = static_cast<float>(x * scale);
  return vector;
}

double CosineSimilarity(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  double dot = 0;
  for (size_t i = 0; i < a.size(); ++i) dot += static_cast<double>(a[i]) * b[i];
  return dot;
}

HttpEmbedder::HttpEmbedder(HttpTransport& transport, EmbeddingConfig config, std::string key)
    : transport_(transport), config_(std::move(config)), key_(std::move(key)) {}

absl::StatusOr<std::vector<float>> HttpEmbedder::Embed(const std::string& text) {
  const std::string id = Sha256Hex(text);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = cache_.find(id); it != cache_.end()) return it->second;
  }
  absl::StatusOr<std::vector<float>> vector = Fetch(text);
  if (!vector.ok()) return vector.status();
  std::lock_guard<std::mutex> lock(mutex_);
  if (cache_.emplace(id, *vector).second) order_.push_back(id);
  while (order_.size() > kCacheEntries) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  return vector;
}

absl::StatusOr<std::vector<float>> HttpEmbedder::Fetch(const std::string& text) {
  HttpRequest request;
  request.url = EmbeddingsUrl(config_.base_url);
  request.headers = {{"Content-Type", "application/json"}};
  if (!key_.empty()) request.headers.emplace_back("Authorization", "Bearer " + key_);
  request.body = EmbeddingsRequestBody(config_.model, text);
  request.total_timeout = config_.timeout;
  request.max_response_bytes = 64 << 20;  // 4096 floats as text are ~100 KB; leave room
  absl::StatusOr<HttpResponse> response = transport_.Post(request);
  if (!response.ok()) {
    if (absl::IsCancelled(response.status())) return response.status();
    return absl::UnavailableError(
        absl::StrCat("embeddings server unreachable: ", response.status().message()));
  }
  if (response->status != 200) {
    return absl::UnavailableError(absl::StrCat("embeddings server answered HTTP ", response->status,
                                               ": ", QuoteForNote(response->body, 160)));
  }
  return ParseEmbeddingsReply(response->body);
}

}  // namespace cambrian::mutators
