// Shared set-up for tests that run LLM clients against ScriptedLlmServer
// through CurlTransport.
#ifndef CAMBRIAN_TESTS_MUTATORS_LLM_LLM_SERVER_TEST_UTIL_H_
#define CAMBRIAN_TESTS_MUTATORS_LLM_LLM_SERVER_TEST_UTIL_H_

#include <cstdlib>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "mutators/llm/llm_client.h"
#include "mutators/llm/model_config.h"
#include "tests/testing/scripted_llm_server.h"

namespace cambrian::mutators {

inline constexpr char kTestKey[] = "sk-test-123";
inline constexpr char kTestKeyEnv[] = "CAMBRIAN_TEST_LLM_KEY";

// A config pointing `provider` at `server`, its key in kTestKeyEnv (set
// here), with short timeouts.
inline ModelConfig ServerConfig(Provider provider, const testing::ScriptedLlmServer& server) {
  setenv(kTestKeyEnv, kTestKey, /*overwrite=*/1);
  ModelConfig config;
  config.provider = provider;
  config.model = provider == Provider::kOpenAi ? "gpt-test" : "claude-test";
  config.base_url = provider == Provider::kOpenAi ? server.openai_base_url() : server.base_url();
  config.key_env = kTestKeyEnv;
  config.connect_timeout = absl::Seconds(2);
  config.timeout = absl::Seconds(2);
  return config;
}

inline LlmRequest SimpleRequest() {
  LlmRequest request;
  request.system = "You edit code.";
  request.messages = {{"user", "Improve this."}};
  request.temperature = 0.5;
  request.max_tokens = 256;
  return request;
}

// So gtest prints "openai" rather than the enum's bytes.
inline void PrintTo(Provider provider, std::ostream* out) { *out << ProviderName(provider); }

inline std::string ProviderParamName(const ::testing::TestParamInfo<Provider>& info) {
  return ProviderName(info.param);
}

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_TESTS_MUTATORS_LLM_LLM_SERVER_TEST_UTIL_H_
