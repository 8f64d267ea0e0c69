// What an OpenAI-compatible server says about its own limits, read once at
// the start of a run so Cambrian's concurrency and prompt budget match the
// server's: llama.cpp's GET /props (parallel slots, context per slot) and
// vLLM's GET /v1/models (max_model_len). Best effort: a server that says
// nothing (OpenAI, Ollama, a proxy) leaves the configured limits alone.
#ifndef CAMBRIAN_MUTATORS_LLM_SERVER_PROBE_H_
#define CAMBRIAN_MUTATORS_LLM_SERVER_PROBE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "mutators/llm/http_transport.h"
#include "mutators/llm/model_config.h"

namespace cambrian::mutators {

struct ServerLimits {
  std::string server;                     // "llama.cpp", "vLLM"; "" when none answered
  std::optional<int> slots;               // requests it serves at once
  std::optional<int64_t> context_tokens;  // per request
};

// Asks `model`'s server (an OpenAI-compatible base URL that is not
// api.openai.com; never an Anthropic one), with a short timeout and no key.
ServerLimits ProbeServer(HttpTransport& transport, const ModelConfig& model);

// The base URL without its trailing "/v1" (where llama.cpp serves /props).
std::string ServerRoot(const std::string& base_url);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_SERVER_PROBE_H_
