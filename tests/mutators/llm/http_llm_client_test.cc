// HttpLlmClient for both providers against a real local HTTP server, through
// CurlTransport: the wire format sent, the replies parsed, and how every
// kind of failure ends. One attempt per call (no RetryingClient here).
#include "mutators/llm/http_llm_client.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/curl_transport.h"
#include "mutators/llm/llm_error.h"
#include "tests/mutators/llm/llm_server_test_util.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScriptedReply;

class HttpLlmClientTest : public ::testing::TestWithParam<Provider> {
 protected:
  std::unique_ptr<LlmClient> Client(HttpLlmOptions options = {}) {
    absl::StatusOr<std::unique_ptr<LlmClient>> client =
        MakeLlmClient(ServerConfig(GetParam(), server_), transport_, options);
    EXPECT_TRUE(client.ok()) << client.status();
    return std::move(client).value();
  }
  absl::Status Fails(ScriptedReply reply) {
    server_.Push(std::move(reply));
    return Client()->Complete(SimpleRequest()).status();
  }
  bool openai() const { return GetParam() == Provider::kOpenAi; }

  testing::ScriptedLlmServer server_;
  CurlTransport transport_;
};

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST_P(HttpLlmClientTest, SendsTheWireFormatAndParsesTheReply) {
  ScriptedReply reply = ScriptedReply::Text("Here is the edit.");
  reply.input_tokens = 101;
  reply.output_tokens = 7;
  server_.Push(reply);
  absl::StatusOr<LlmResponse> response = Client()->Complete(SimpleRequest());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->text, "Here is the edit.");
  EXPECT_EQ(response->input_tokens, 101);
  EXPECT_EQ(response->output_tokens, 7);
  EXPECT_EQ(response->model, openai() ? "gpt-test" : "claude-test");
  EXPECT_EQ(response->finish_reason, openai() ? "stop" : "end_turn");
  EXPECT_EQ(response->attempts, 1);

  ASSERT_EQ(server_.requests().size(), 1u);
  const testing::RecordedRequest sent = server_.requests()[0];
  const nlohmann::json body = sent.json();
  EXPECT_EQ(sent.headers.at("content-type"), "application/json");
  EXPECT_EQ(body["model"], openai() ? "gpt-test" : "claude-test");
  EXPECT_EQ(body["max_tokens"], 256);
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.5);
  if (openai()) {
    EXPECT_EQ(sent.path, "/v1/chat/completions");
    EXPECT_EQ(sent.headers.at("authorization"), "Bearer sk-test-123");
    EXPECT_EQ(sent.headers.count("x-api-key"), 0u);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_EQ(body["messages"][0]["content"], "You edit code.");
    EXPECT_EQ(body["messages"][1]["content"], "Improve this.");
  } else {
    EXPECT_EQ(sent.path, "/v1/messages");
    EXPECT_EQ(sent.headers.at("x-api-key"), "sk-test-123");
    EXPECT_EQ(sent.headers.at("anthropic-version"), "2023-06-01");
    EXPECT_EQ(sent.headers.count("authorization"), 0u);
    EXPECT_EQ(body["system"], "You edit code.");
    EXPECT_EQ(body["messages"].size(), 1u);
  }
  // The key went into the one auth header and nowhere else.
  EXPECT_THAT(sent.body, Not(HasSubstr(kTestKey)));
}

TEST_P(HttpLlmClientTest, AnEmptyKeyVariableSendsNoCredentials) {
  ModelConfig config = ServerConfig(GetParam(), server_);
  config.key_env = "";
  auto client = MakeLlmClient(config, transport_);
  ASSERT_TRUE(client.ok()) << client.status();
  server_.Push(ScriptedReply::Text("ok"));
  ASSERT_TRUE((*client)->Complete(SimpleRequest()).ok());
  EXPECT_EQ(server_.requests()[0].headers.count("authorization"), 0u);
  EXPECT_EQ(server_.requests()[0].headers.count("x-api-key"), 0u);
}

TEST_P(HttpLlmClientTest, AnUnsetKeyVariableIsNamedAtConstruction) {
  ModelConfig config = ServerConfig(GetParam(), server_);
  config.key_env = "CAMBRIAN_TEST_UNSET_KEY";
  unsetenv("CAMBRIAN_TEST_UNSET_KEY");
  auto client = MakeLlmClient(config, transport_);
  EXPECT_TRUE(absl::IsFailedPrecondition(client.status()));
  EXPECT_THAT(Message(client.status()), HasSubstr("CAMBRIAN_TEST_UNSET_KEY"));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_P(HttpLlmClientTest, AKeyWithALineBreakIsRefusedWithoutShowingIt) {
  ModelConfig config = ServerConfig(GetParam(), server_);
  setenv("CAMBRIAN_TEST_BAD_KEY", "sk-line1\nInjected: yes", 1);
  config.key_env = "CAMBRIAN_TEST_BAD_KEY";
  auto client = MakeLlmClient(config, transport_);
  EXPECT_TRUE(absl::IsFailedPrecondition(client.status()));
  EXPECT_THAT(Message(client.status()), HasSubstr("CAMBRIAN_TEST_BAD_KEY"));
  EXPECT_THAT(Message(client.status()), Not(HasSubstr("sk-line1")));
}

TEST_P(HttpLlmClientTest, ConcurrentCallsShareOneClient) {
  server_.SetResponder([](const testing::RecordedRequest& request) {
    ScriptedReply reply = ScriptedReply::Text(request.json()["messages"].back()["content"]);
    reply.delay = std::chrono::milliseconds(50);
    return reply;
  });
  std::unique_ptr<LlmClient> client = Client();
  std::vector<std::thread> threads;
  std::vector<std::string> answers(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      LlmRequest request = SimpleRequest();
      request.messages = {{"user", "call " + std::to_string(i)}};
      absl::StatusOr<LlmResponse> reply = client->Complete(request);
      answers[i] = reply.ok() ? reply->text : reply.status().ToString();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(answers[i], "call " + std::to_string(i));
  EXPECT_EQ(server_.requests().size(), 8u);
}

TEST_P(HttpLlmClientTest, BadRequestIsInvalidArgumentWithTheServersMessage) {
  absl::Status status = Fails(ScriptedReply::Error(400, "max_tokens is too large"));
  EXPECT_TRUE(absl::IsInvalidArgument(status)) << status;
  EXPECT_THAT(Message(status), HasSubstr("HTTP 400"));
  EXPECT_THAT(Message(status), HasSubstr("max_tokens is too large"));
  EXPECT_FALSE(IsRetryable(status));
}

TEST_P(HttpLlmClientTest, StatusCodesMapToTheConvention) {
  EXPECT_TRUE(absl::IsUnauthenticated(Fails(ScriptedReply::Error(401, "no"))));
  EXPECT_TRUE(absl::IsPermissionDenied(Fails(ScriptedReply::Error(403, "no"))));
  EXPECT_TRUE(absl::IsNotFound(Fails(ScriptedReply::Error(404, "no such model"))));
  const absl::Status busy = Fails(ScriptedReply::Error(429, "slow down", "1"));
  EXPECT_TRUE(absl::IsResourceExhausted(busy));
  EXPECT_TRUE(IsRetryable(busy));
  EXPECT_EQ(GetLlmErrorDetail(busy)->retry_after, "1");
  EXPECT_EQ(GetLlmErrorDetail(busy)->http_status, 429);
  const absl::Status down = Fails(ScriptedReply::Error(503, "down"));
  EXPECT_TRUE(absl::IsUnavailable(down));
  EXPECT_TRUE(IsRetryable(down));
  EXPECT_TRUE(IsRetryable(Fails(ScriptedReply::Error(408, "slow client"))));
}

TEST_P(HttpLlmClientTest, AnErrorBodyEchoingTheKeyIsRedacted) {
  const absl::Status status = Fails(ScriptedReply::Error(401, "bad key sk-test-123"));
  EXPECT_TRUE(absl::IsUnauthenticated(status));
  EXPECT_THAT(Message(status), HasSubstr("[REDACTED]"));
  EXPECT_THAT(Message(status), Not(HasSubstr(kTestKey)));
}

TEST_P(HttpLlmClientTest, BadBodiesAreDataLoss) {
  const absl::Status truncated_json = Fails(ScriptedReply::Raw(200, "{\"choices\": ["));
  EXPECT_TRUE(absl::IsDataLoss(truncated_json)) << truncated_json;
  EXPECT_EQ(GetLlmErrorDetail(truncated_json)->http_status, 200);
  EXPECT_FALSE(IsRetryable(truncated_json));
  EXPECT_TRUE(absl::IsDataLoss(Fails(ScriptedReply::Raw(200, "<html>oops</html>"))));
  EXPECT_TRUE(absl::IsDataLoss(Fails(ScriptedReply::Raw(200, "{}"))));
}

TEST_P(HttpLlmClientTest, ABodyOverTheCapIsDataLoss) {
  server_.Push(ScriptedReply::Huge(3 << 20));
  HttpLlmOptions options;
  options.max_response_bytes = 1 << 20;
  const absl::Status status = Client(options)->Complete(SimpleRequest()).status();
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  EXPECT_THAT(Message(status), HasSubstr("larger than 1048576 bytes"));
}

TEST_P(HttpLlmClientTest, EmptyAndRefusedRepliesAreFailedPrecondition) {
  const absl::Status empty = Fails(ScriptedReply::Text(""));
  EXPECT_TRUE(absl::IsFailedPrecondition(empty)) << empty;
  EXPECT_THAT(Message(empty), HasSubstr("empty reply"));
  const absl::Status refused = Fails(ScriptedReply::Refusal("I will not do that"));
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(Message(refused), HasSubstr("refused"));
}

TEST_P(HttpLlmClientTest, ASlowReplyBeyondTheTimeoutIsDeadlineExceeded) {
  const absl::Status status = Fails(ScriptedReply::Slow(std::chrono::seconds(4), "late"));
  EXPECT_TRUE(absl::IsDeadlineExceeded(status)) << status;
  EXPECT_TRUE(IsRetryable(status));
}

TEST_P(HttpLlmClientTest, AHangingServerTimesOutWithinTheTimeout) {
  const absl::Time start = absl::Now();
  const absl::Status status = Fails(ScriptedReply::Hang());
  EXPECT_TRUE(absl::IsDeadlineExceeded(status)) << status;
  EXPECT_LT(absl::Now() - start, absl::Seconds(2 + 5));  // timeout + generous slack
}

TEST_P(HttpLlmClientTest, DroppedAndTruncatedConnectionsAreRetryableUnavailable) {
  const absl::Status dropped = Fails(ScriptedReply::Drop());
  EXPECT_TRUE(absl::IsUnavailable(dropped)) << dropped;
  EXPECT_TRUE(IsRetryable(dropped));
  const absl::Status truncated = Fails(ScriptedReply::Truncate());
  EXPECT_TRUE(absl::IsUnavailable(truncated)) << truncated;
  EXPECT_TRUE(IsRetryable(truncated));
}

TEST_P(HttpLlmClientTest, NoServerIsUnavailable) {
  ModelConfig config = ServerConfig(GetParam(), server_);
  config.base_url = "http://127.0.0.1:1";  // nothing listens on port 1
  auto client = MakeLlmClient(config, transport_);
  ASSERT_TRUE(client.ok());
  const absl::Status status = (*client)->Complete(SimpleRequest()).status();
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  EXPECT_THAT(Message(status), HasSubstr(ProviderName(GetParam())));
}

INSTANTIATE_TEST_SUITE_P(Providers, HttpLlmClientTest,
                         ::testing::Values(Provider::kOpenAi, Provider::kAnthropic),
                         ProviderParamName);

}  // namespace
}  // namespace cambrian::mutators
