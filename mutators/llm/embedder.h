// Embeddings of programs from an OpenAI-compatible /embeddings endpoint
// (OpenAI, llama.cpp's server started with --embeddings, Ollama, vLLM), for
// the novelty filter: two programs whose embeddings point the same way do
// the same thing, whatever their text.
#ifndef CAMBRIAN_MUTATORS_LLM_EMBEDDER_H_
#define CAMBRIAN_MUTATORS_LLM_EMBEDDER_H_

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mutators/llm/http_transport.h"

namespace cambrian::mutators {

struct EmbeddingConfig {
  std::string base_url;  // OpenAI-compatible, e.g. "http://127.0.0.1:8081/v1"; "" = none
  std::string model;     // sent as "model" (a local server may ignore it)
  std::string key_env;   // the variable holding its key; "" for none
  absl::Duration timeout = absl::Seconds(60);

  bool enabled() const { return !base_url.empty(); }
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  // A unit-length vector for `text`. Unavailable when the server could not
  // be reached or refused the text (too long for its model, say);
  // DataLoss when its reply is malformed. Thread-safe.
  virtual absl::StatusOr<std::vector<float>> Embed(const std::string& text) = 0;
};

// POSTs {"model", "input"} to BASE/embeddings and reads data[0].embedding.
// Remembers the last 1024 texts' vectors (a parent is embedded once).
class HttpEmbedder : public Embedder {
 public:
  // `key` is the key's value ("" for none); it is sent, never logged.
  HttpEmbedder(HttpTransport& transport, EmbeddingConfig config, std::string key);
  absl::StatusOr<std::vector<float>> Embed(const std::string& text) override;

 private:
  absl::StatusOr<std::vector<float>> Fetch(const std::string& text);

  HttpTransport& transport_;
  const EmbeddingConfig config_;
  const std::string key_;
  std::mutex mutex_;
  std::list<std::string> order_;  // cache keys, oldest first
  std::unordered_map<std::string, std::vector<float>> cache_;
};

std::string EmbeddingsUrl(const std::string& base_url);
std::string EmbeddingsRequestBody(const std::string& model, const std::string& text);
// The first embedding of a reply, scaled to unit length. DataLoss when
// there is none, it is empty, holds a non-number or is all zeros.
absl::StatusOr<std::vector<float>> ParseEmbeddingsReply(const std::string& body);

// The cosine of the angle between two unit vectors; 0 when their lengths
// differ (embeddings of different models are not comparable).
double CosineSimilarity(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_EMBEDDER_H_
