// RetryingClient over HttpLlmClient over CurlTransport against the real
// local server: retries, Retry-After, dropped connections, hangs and the
// circuit breaker, end to end. Waits go to a fake sleeper (except one test
// that really waits a second).
#include <memory>
#include <string>
#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/curl_transport.h"
#include "mutators/llm/http_llm_client.h"
#include "mutators/llm/llm_error.h"
#include "mutators/llm/retrying_client.h"
#include "tests/mutators/llm/llm_server_test_util.h"
#include "tests/testing/fake_time.h"

namespace cambrian::mutators {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScriptedReply;

class ResilienceTest : public ::testing::TestWithParam<Provider> {
 protected:
  std::unique_ptr<RetryingClient> Client(Sleeper& sleeper, int max_retries = 5) {
    auto inner = MakeLlmClient(ServerConfig(GetParam(), server_), transport_);
    EXPECT_TRUE(inner.ok()) << inner.status();
    RetryOptions options;
    options.max_retries = max_retries;
    options.jitter = [] { return 0.0; };  // so every wait is exactly what the server asked
    return std::make_unique<RetryingClient>(std::move(inner).value(), breaker_, clock_, sleeper,
                                            options);
  }

  testing::ScriptedLlmServer server_;
  CurlTransport transport_;
  testing::ManualClock clock_;
  testing::RecordingSleeper sleeper_{&clock_};
  std::shared_ptr<CircuitBreaker> breaker_ =
      std::make_shared<CircuitBreaker>(ProviderName(GetParam()), clock_, CircuitBreakerOptions{});
};

TEST_P(ResilienceTest, A429WithRetryAfterIsWaitedOutThenSucceeds) {
  server_.Push(ScriptedReply::Error(429, "rate limited", "1"));
  server_.Push(ScriptedReply::Text("done"));
  absl::StatusOr<LlmResponse> reply = Client(sleeper_)->Complete(SimpleRequest());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text, "done");
  EXPECT_EQ(reply->attempts, 2);
  EXPECT_THAT(sleeper_.waits(), ElementsAre(absl::Seconds(1)));
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_P(ResilienceTest, ARealSleeperReallyWaitsTheRetryAfter) {
  server_.Push(ScriptedReply::Error(429, "rate limited", "1"));
  server_.Push(ScriptedReply::Text("done"));
  RealSleeper sleeper;
  const absl::Time start = absl::Now();
  absl::StatusOr<LlmResponse> reply = Client(sleeper)->Complete(SimpleRequest());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->attempts, 2);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(950));
}

TEST_P(ResilienceTest, ThreeServerErrorsThenSuccess) {
  for (int i = 0; i < 3; ++i) server_.Push(ScriptedReply::Error(500, "internal"));
  server_.Push(ScriptedReply::Text("finally"));
  absl::StatusOr<LlmResponse> reply = Client(sleeper_)->Complete(SimpleRequest());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->attempts, 4);
  EXPECT_EQ(server_.requests().size(), 4u);
}

TEST_P(ResilienceTest, ABadRequestIsNotRetried) {
  server_.Push(ScriptedReply::Error(400, "unknown parameter"));
  server_.Push(ScriptedReply::Text("never sent"));
  absl::StatusOr<LlmResponse> reply = Client(sleeper_)->Complete(SimpleRequest());
  EXPECT_TRUE(absl::IsInvalidArgument(reply.status()));
  EXPECT_THAT(std::string(reply.status().message()), HasSubstr("unknown parameter"));
  EXPECT_EQ(server_.requests().size(), 1u);
  EXPECT_TRUE(sleeper_.waits().empty());
}

TEST_P(ResilienceTest, ADroppedConnectionIsRetried) {
  server_.Push(ScriptedReply::Drop());
  server_.Push(ScriptedReply::Text("second time lucky"));
  absl::StatusOr<LlmResponse> reply = Client(sleeper_)->Complete(SimpleRequest());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->attempts, 2);
}

TEST_P(ResilienceTest, AHangingServerEndsInDeadlineExceededAfterTheRetries) {
  server_.Push(ScriptedReply::Hang());
  server_.Push(ScriptedReply::Hang());
  const absl::Time start = absl::Now();
  absl::StatusOr<LlmResponse> reply =
      Client(sleeper_, /*max_retries=*/1)->Complete(SimpleRequest());
  EXPECT_TRUE(absl::IsDeadlineExceeded(reply.status())) << reply.status();
  EXPECT_EQ(GetLlmErrorDetail(reply.status())->attempts, 2);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2 * 2 + 6));
}

TEST_P(ResilienceTest, CancelEndsARequestInFlightAtOnceAndIsNotRetried) {
  server_.Push(ScriptedReply::Hang());
  server_.Push(ScriptedReply::Text("never asked for"));
  ModelConfig config = ServerConfig(GetParam(), server_);
  config.timeout = absl::Seconds(60);  // so only a cancel can end it soon
  auto inner = MakeLlmClient(config, transport_);
  ASSERT_TRUE(inner.ok()) << inner.status();
  RetryingClient client(std::move(inner).value(), breaker_, clock_, sleeper_, RetryOptions{});
  const absl::Time start = absl::Now();
  std::thread stopper([this] {
    absl::SleepFor(absl::Milliseconds(300));  // the request is out by now
    transport_.Cancel();
  });
  absl::StatusOr<LlmResponse> reply = client.Complete(SimpleRequest());
  stopper.join();
  EXPECT_TRUE(absl::IsCancelled(reply.status())) << reply.status();
  // The hang would last the 60 s timeout; the progress callback runs at
  // least once a second.
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(server_.requests().size(), 1u);
  // Later requests are refused without going out.
  EXPECT_TRUE(absl::IsCancelled(client.Complete(SimpleRequest()).status()));
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_P(ResilienceTest, TheKeyNeverReachesTheFinalError) {
  for (int i = 0; i < 2; ++i) server_.Push(ScriptedReply::Error(503, "key sk-test-123 is busy"));
  absl::StatusOr<LlmResponse> reply =
      Client(sleeper_, /*max_retries=*/1)->Complete(SimpleRequest());
  EXPECT_TRUE(absl::IsUnavailable(reply.status()));
  EXPECT_THAT(std::string(reply.status().message()), HasSubstr("[REDACTED]"));
  EXPECT_THAT(std::string(reply.status().message()), Not(HasSubstr(kTestKey)));
}

TEST_P(ResilienceTest, TheCircuitOpensFailsFastAndHalfOpensAfterTheCoolDown) {
  for (int i = 0; i < 5; ++i) server_.Push(ScriptedReply::Error(502, "bad gateway"));
  auto client = Client(sleeper_, /*max_retries=*/10);
  absl::StatusOr<LlmResponse> storm = client->Complete(SimpleRequest());
  EXPECT_TRUE(absl::IsUnavailable(storm.status()));
  EXPECT_EQ(server_.requests().size(), 5u);
  EXPECT_TRUE(client->circuit_open());

  absl::StatusOr<LlmResponse> fast = client->Complete(SimpleRequest());
  EXPECT_TRUE(absl::IsUnavailable(fast.status()));
  EXPECT_THAT(std::string(fast.status().message()),
              HasSubstr("circuit open for " + ProviderName(GetParam()) + " until "));
  EXPECT_EQ(server_.requests().size(), 5u);  // failed fast: nothing sent

  clock_.Advance(absl::Seconds(60));
  server_.Push(ScriptedReply::Text("recovered"));
  absl::StatusOr<LlmResponse> probe = client->Complete(SimpleRequest());
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(client->circuit_state(), "closed");
}

INSTANTIATE_TEST_SUITE_P(Providers, ResilienceTest,
                         ::testing::Values(Provider::kOpenAi, Provider::kAnthropic),
                         ProviderParamName);

}  // namespace
}  // namespace cambrian::mutators
