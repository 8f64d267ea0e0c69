// One LLM the ensemble may call, as configured in the run config or by
// --llm flags.
#ifndef CAMBRIAN_MUTATORS_LLM_MODEL_CONFIG_H_
#define CAMBRIAN_MUTATORS_LLM_MODEL_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cambrian::mutators {

enum class Provider { kOpenAi, kAnthropic };

// Whether replies are constrained by a grammar to an edit that applies
// (mutators/llm/edit_grammar.h). kAuto is on where the server is llama.cpp
// (the run probes it) and off elsewhere.
enum class GrammarUse { kAuto, kOn, kOff };

struct ModelConfig {
  Provider provider = Provider::kOpenAi;
  std::string model;     // e.g. "gpt-4.1-mini", "claude-sonnet-4"
  double weight = 1.0;   // sampling weight in the ensemble
  std::string base_url;  // "" = the provider's public endpoint
  std::string key_env;   // environment variable holding the key
  double temperature = 0.7;
  // Most tokens of a reply; 0 sizes it to the edit: the editable files'
  // bytes / 3 (a whole-file rewrite) plus a quarter and 512 for prose, from
  // 1024 to 8192 (ReplyTokens in llm_mutator.h).
  int max_tokens = 0;
  absl::Duration connect_timeout = absl::Seconds(10);
  absl::Duration timeout = absl::Seconds(300);  // whole request, per attempt
  int max_retries = 5;
  double usd_per_million_input = 0;  // price table; 0 = unknown (cost 0)
  double usd_per_million_output = 0;
  // The largest prompt (system + user, in bytes) sent to this model; a
  // larger one is cut down (inspirations first) or the proposal refused.
  int64_t max_prompt_bytes = 256 << 10;
  // The model's context window in tokens, where known (0: unknown): the
  // prompt must then also fit in it beside max_tokens of reply.
  int64_t context_tokens = 0;
  // Texts that end a reply where the model writes them (OpenAI `stop`,
  // Anthropic `stop_sequences`); none by default, since no one text ends
  // every valid answer (see docs/llm.md). At most 4, none empty.
  std::vector<std::string> stop;
  GrammarUse grammar = GrammarUse::kAuto;
};

// Parses "openai:gpt-4.1-mini@0.8" / "anthropic:claude-sonnet-4" (weight
// defaults to 1). Fills defaults: base_url and key_env (OPENAI_API_KEY,
// ANTHROPIC_API_KEY) by provider. InvalidArgument naming the flag otherwise.
[[nodiscard]] absl::StatusOr<ModelConfig> ParseModelFlag(const std::string& flag);

std::string ProviderName(Provider provider);

// "auto" | "on" | "off", and back (InvalidArgument naming the choices).
std::string GrammarUseName(GrammarUse use);
[[nodiscard]] absl::StatusOr<GrammarUse> ParseGrammarUse(const std::string& text);

// The API key in environment variable `key_env` ("" when `key_env` is ""),
// trimmed. FailedPrecondition naming the variable and `what` needs it when
// it is unset, blank or holds a line break; the value is never in a message.
[[nodiscard]] absl::StatusOr<std::string> KeyFromEnvironment(const std::string& key_env,
                                                             const std::string& what);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_MODEL_CONFIG_H_
