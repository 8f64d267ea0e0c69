#include "mutators/llm/model_config.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "mutators/llm/anthropic_wire.h"
#include "mutators/llm/openai_wire.h"

namespace cambrian::mutators {
namespace {

absl::Status BadFlag(const std::string& flag, const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("--llm ", flag, ": ", why,
                   " (expected PROVIDER:MODEL[@WEIGHT], e.g. openai:gpt-4.1-mini@0.8)"));
}

}  // namespace

std::string ProviderName(Provider provider) {
  switch (provider) {
    case Provider::kOpenAi:
      return "openai";
    case Provider::kAnthropic:
      return "anthropic";
  }
  return "unknown";
}

std::string GrammarUseName(GrammarUse use) {
  switch (use) {
    case GrammarUse::kOn:
      return "on";
    case GrammarUse::kOff:
      return "off";
    case GrammarUse::kAuto:
      break;
  }
  return "auto";
}

absl::StatusOr<GrammarUse> ParseGrammarUse(const std::string& text) {
  for (GrammarUse use : {GrammarUse::kAuto, GrammarUse::kOn, GrammarUse::kOff}) {
    if (text == GrammarUseName(use)) return use;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("grammar must be auto, on or off, not '", text, "'"));
}

// The provider ends at the first ':' and the weight starts at the last '@',
// so model names keep their own colons (Ollama's "llama3.1:8b").
absl::StatusOr<ModelConfig> ParseModelFlag(const std::string& flag) {
  const size_t colon = flag.find(':');
  if (colon == std::string::npos) return BadFlag(flag, "no provider");
  const std::string provider = flag.substr(0, colon);
  std::string model = flag.substr(colon + 1);
  ModelConfig config;
  if (provider == "openai") {
    config.provider = Provider::kOpenAi;
    config.base_url = kOpenAiBaseUrl;
    config.key_env = "OPENAI_API_KEY";
  } else if (provider == "anthropic") {
    config.provider = Provider::kAnthropic;
    config.base_url = kAnthropicBaseUrl;
    config.key_env = "ANTHROPIC_API_KEY";
  } else {
    return BadFlag(flag,
                   absl::StrCat("unknown provider \"", provider,
                                "\" (openai for any OpenAI-compatible server, or anthropic)"));
  }
  if (const size_t at = model.rfind('@'); at != std::string::npos) {
    const std::string weight = model.substr(at + 1);
    if (!absl::SimpleAtod(weight, &config.weight) || !std::isfinite(config.weight) ||
        config.weight <= 0) {
      return BadFlag(flag, absl::StrCat("weight \"", weight, "\" is not a positive number"));
    }
    model.resize(at);
  }
  if (model.empty()) return BadFlag(flag, "no model name");
  config.model = std::move(model);
  return config;
}

absl::StatusOr<std::string> KeyFromEnvironment(const std::string& key_env,
                                               const std::string& what) {
  if (key_env.empty()) return std::string();
  const char* value = std::getenv(key_env.c_str());
  if (value == nullptr || absl::StripAsciiWhitespace(value).empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("environment variable ", key_env, " is not set; it must hold the API key for ",
                     what, " (or set the key variable to \"\" for a server without auth)"));
  }
  std::string key(absl::StripAsciiWhitespace(value));
  if (key.find_first_of("\r\n") != std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat("environment variable ", key_env, " holds a line break; it cannot be a key"));
  }
  return key;
}

}  // namespace cambrian::mutators
