// What a server says about its limits (mutators/llm/server_probe.h), read
// through the real CurlTransport from the scripted local server.
#include "mutators/llm/server_probe.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/curl_transport.h"
#include "tests/testing/scripted_llm_server.h"

namespace cambrian::mutators {
namespace {

using ::testing::ElementsAre;

class ServerProbeTest : public ::testing::Test {
 protected:
  ModelConfig Model(const std::string& base_url) {
    ModelConfig model;
    model.provider = Provider::kOpenAi;
    model.model = "qwen";
    model.base_url = base_url;
    return model;
  }

  testing::ScriptedLlmServer server_;
  CurlTransport transport_;
};

TEST_F(ServerProbeTest, LlamaCppSaysItsSlotsAndContext) {
  server_.SetGet("/props", R"({"total_slots": 2, "default_generation_settings": {"n_ctx": 4096}})");
  ServerLimits limits = ProbeServer(transport_, Model(server_.openai_base_url()));
  EXPECT_EQ(limits.server, "llama.cpp");
  EXPECT_EQ(limits.slots, 2);
  EXPECT_EQ(limits.context_tokens, 4096);
  EXPECT_THAT(server_.gets_seen(), ElementsAre("/props"));  // the root, not /v1/props
}

TEST_F(ServerProbeTest, VllmSaysItsContextOnly) {
  server_.SetGet("/v1/models",
                 R"({"data": [{"id": "other", "max_model_len": 8192},
                              {"id": "qwen", "max_model_len": 16384}]})");
  ServerLimits limits = ProbeServer(transport_, Model(server_.openai_base_url() + "/"));
  EXPECT_EQ(limits.server, "vLLM");
  EXPECT_EQ(limits.slots, std::nullopt);  // continuous batching: no fixed slots
  EXPECT_EQ(limits.context_tokens, 16384);
}

TEST_F(ServerProbeTest, ServersThatSayNothingOrNonsenseChangeNothing) {
  EXPECT_TRUE(ProbeServer(transport_, Model(server_.openai_base_url())).server.empty());
  server_.SetGet("/props", R"({"total_slots": -3, "default_generation_settings": "x"})");
  ServerLimits limits = ProbeServer(transport_, Model(server_.openai_base_url()));
  EXPECT_EQ(limits.slots, std::nullopt);
  EXPECT_EQ(limits.context_tokens, std::nullopt);
  server_.SetGet("/props", "not json");
  EXPECT_TRUE(ProbeServer(transport_, Model(server_.openai_base_url())).server.empty());
  // Nothing listening: no error, nothing known.
  EXPECT_TRUE(ProbeServer(transport_, Model("http://127.0.0.1:1/v1")).server.empty());
}

TEST_F(ServerProbeTest, HostedApisAreNotAsked) {
  ModelConfig anthropic = Model(server_.base_url());
  anthropic.provider = Provider::kAnthropic;
  EXPECT_TRUE(ProbeServer(transport_, anthropic).server.empty());
  EXPECT_TRUE(ProbeServer(transport_, Model("")).server.empty());
  EXPECT_TRUE(server_.gets_seen().empty());
}

TEST(ServerRootTest, DropsTheApiVersion) {
  EXPECT_EQ(ServerRoot("http://h:8080/v1"), "http://h:8080");
  EXPECT_EQ(ServerRoot("http://h:8080/v1/"), "http://h:8080");
  EXPECT_EQ(ServerRoot("http://h:8080"), "http://h:8080");
}

}  // namespace
}  // namespace cambrian::mutators
