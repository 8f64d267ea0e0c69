#include "mutators/llm/model_config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;

TEST(ParseModelFlagTest, OpenAiWithWeight) {
  absl::StatusOr<ModelConfig> config = ParseModelFlag("openai:gpt-4.1-mini@0.8");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->provider, Provider::kOpenAi);
  EXPECT_EQ(config->model, "gpt-4.1-mini");
  EXPECT_DOUBLE_EQ(config->weight, 0.8);
  EXPECT_EQ(config->base_url, "https://api.openai.com/v1");
  EXPECT_EQ(config->key_env, "OPENAI_API_KEY");
}

TEST(ParseModelFlagTest, AnthropicDefaultsWeightToOne) {
  absl::StatusOr<ModelConfig> config = ParseModelFlag("anthropic:claude-sonnet-4");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->provider, Provider::kAnthropic);
  EXPECT_EQ(config->model, "claude-sonnet-4");
  EXPECT_DOUBLE_EQ(config->weight, 1.0);
  EXPECT_EQ(config->base_url, "https://api.anthropic.com");
  EXPECT_EQ(config->key_env, "ANTHROPIC_API_KEY");
}

TEST(ParseModelFlagTest, ModelNamesKeepTheirColons) {
  absl::StatusOr<ModelConfig> config = ParseModelFlag("openai:llama3.1:8b@2");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->model, "llama3.1:8b");
  EXPECT_DOUBLE_EQ(config->weight, 2.0);
}

TEST(ParseModelFlagTest, BadFlagsAreInvalidArgumentNamingTheFlag) {
  for (const std::string flag :
       {"gemini:pro", "gpt-4", "openai:", "openai:@0.5", "openai:gpt@", "openai:gpt@abc",
        "openai:gpt@0", "openai:gpt@-1", "openai:gpt@inf", "OpenAI:gpt"}) {
    absl::StatusOr<ModelConfig> config = ParseModelFlag(flag);
    ASSERT_FALSE(config.ok()) << flag;
    EXPECT_TRUE(absl::IsInvalidArgument(config.status())) << flag;
    EXPECT_THAT(std::string(config.status().message()), HasSubstr(flag));
  }
}

TEST(ParseModelFlagTest, MessagesSayWhatIsWrong) {
  EXPECT_THAT(std::string(ParseModelFlag("gemini:pro").status().message()),
              HasSubstr("unknown provider"));
  EXPECT_THAT(std::string(ParseModelFlag("openai:gpt@x").status().message()), HasSubstr("weight"));
  EXPECT_THAT(std::string(ParseModelFlag("openai:").status().message()), HasSubstr("no model"));
}

TEST(ProviderNameTest, Names) {
  EXPECT_EQ(ProviderName(Provider::kOpenAi), "openai");
  EXPECT_EQ(ProviderName(Provider::kAnthropic), "anthropic");
}

}  // namespace
}  // namespace cambrian::mutators
