// RetryingClient over a scripted inner client, with fake time: which errors
// are retried, how long it waits, and the circuit breaker.
#include "mutators/llm/retrying_client.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/llm_error.h"
#include "tests/testing/fake_time.h"

namespace cambrian::mutators {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers from a queue; counts calls.
class ScriptedClient : public LlmClient {
 public:
  explicit ScriptedClient(std::deque<absl::StatusOr<LlmResponse>> replies, int* calls)
      : replies_(std::move(replies)), calls_(calls) {}
  absl::StatusOr<LlmResponse> Complete(const LlmRequest&) override {
    ++*calls_;
    if (replies_.empty()) return absl::InternalError("script exhausted");
    absl::StatusOr<LlmResponse> reply = replies_.front();
    replies_.pop_front();
    return reply;
  }

 private:
  std::deque<absl::StatusOr<LlmResponse>> replies_;
  int* calls_;
};

absl::Status Http(absl::StatusCode code, int status, std::string retry_after = "") {
  LlmErrorDetail detail;
  detail.http_status = status;
  detail.retryable = status == 408 || status == 429 || status >= 500;
  detail.retry_after = std::move(retry_after);
  return WithLlmErrorDetail(absl::Status(code, "HTTP " + std::to_string(status)), detail);
}

LlmResponse Ok() {
  LlmResponse response;
  response.text = "ok";
  return response;
}

class RetryingClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<RetryingClient> Make(std::deque<absl::StatusOr<LlmResponse>> replies,
                                       int max_retries = 5) {
    RetryOptions options;
    options.max_retries = max_retries;
    options.jitter = [] { return 0.5; };
    return std::make_unique<RetryingClient>(
        std::make_unique<ScriptedClient>(std::move(replies), &calls_), breaker_, clock_, sleeper_,
        options);
  }

  testing::ManualClock clock_;
  testing::RecordingSleeper sleeper_{&clock_};
  std::shared_ptr<CircuitBreaker> breaker_ =
      std::make_shared<CircuitBreaker>("openai", clock_, CircuitBreakerOptions{});
  int calls_ = 0;
};

TEST_F(RetryingClientTest, RetriesServerErrorsWithExponentialJitteredBackoff) {
  auto client =
      Make({Http(absl::StatusCode::kUnavailable, 500), Http(absl::StatusCode::kUnavailable, 502),
            Http(absl::StatusCode::kUnavailable, 503), Ok()});
  absl::StatusOr<LlmResponse> reply = client->Complete({});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->attempts, 4);
  EXPECT_EQ(reply->latency, absl::Milliseconds(500 + 1000 + 2000));
  // Half (the fake jitter) of 1 s, 2 s, 4 s.
  EXPECT_THAT(sleeper_.waits(),
              ElementsAre(absl::Milliseconds(500), absl::Seconds(1), absl::Seconds(2)));
}

TEST_F(RetryingClientTest, HonoursRetryAfter) {
  auto client = Make({Http(absl::StatusCode::kResourceExhausted, 429, "7"), Ok()});
  absl::StatusOr<LlmResponse> reply = client->Complete({});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->attempts, 2);
  EXPECT_THAT(sleeper_.waits(), ElementsAre(absl::Seconds(7)));
}

TEST_F(RetryingClientTest, ARetryAfterBeyondTheLimitEndsTheRetries) {
  auto client = Make({Http(absl::StatusCode::kResourceExhausted, 429, "86400"), Ok()});
  absl::StatusOr<LlmResponse> reply = client->Complete({});
  EXPECT_TRUE(absl::IsResourceExhausted(reply.status()));
  EXPECT_THAT(std::string(reply.status().message()), HasSubstr("Retry-After"));
  EXPECT_EQ(calls_, 1);
}

TEST_F(RetryingClientTest, DoesNotRetryClientErrors) {
  for (auto [code, status] :
       std::vector<std::pair<absl::StatusCode, int>>{{absl::StatusCode::kInvalidArgument, 400},
                                                     {absl::StatusCode::kUnauthenticated, 401},
                                                     {absl::StatusCode::kNotFound, 404}}) {
    calls_ = 0;
    auto client = Make({Http(code, status), Ok()});
    absl::StatusOr<LlmResponse> reply = client->Complete({});
    EXPECT_EQ(reply.status().code(), code);
    EXPECT_EQ(calls_, 1);
    EXPECT_EQ(GetLlmErrorDetail(reply.status())->attempts, 1);
  }
  EXPECT_TRUE(sleeper_.waits().empty());
}

TEST_F(RetryingClientTest, RetriesTimeoutsAnd408) {
  auto client = Make({absl::DeadlineExceededError("timed out"),
                      Http(absl::StatusCode::kDeadlineExceeded, 408), Ok()});
  absl::StatusOr<LlmResponse> reply = client->Complete({});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->attempts, 3);
}

TEST_F(RetryingClientTest, GivesUpAfterMaxRetriesWithTheLastError) {
  auto client =
      Make({Http(absl::StatusCode::kUnavailable, 500), Http(absl::StatusCode::kUnavailable, 500),
            Http(absl::StatusCode::kUnavailable, 503), Ok()},
           /*max_retries=*/2);
  absl::StatusOr<LlmResponse> reply = client->Complete({});
  ASSERT_TRUE(absl::IsUnavailable(reply.status()));
  EXPECT_EQ(std::string(reply.status().message()), "HTTP 503 (3 attempts)");
  EXPECT_EQ(GetLlmErrorDetail(reply.status())->attempts, 3);
  EXPECT_EQ(GetLlmErrorDetail(reply.status())->http_status, 503);
}

TEST_F(RetryingClientTest, TheBackoffIsCapped) {
  RetryOptions options;
  options.max_retries = 10;
  options.jitter = [] { return 0.999; };
  std::deque<absl::StatusOr<LlmResponse>> replies(10, Http(absl::StatusCode::kUnavailable, 500));
  replies.push_back(Ok());
  // A breaker that never opens, so all ten failures are retried.
  auto lenient = std::make_shared<CircuitBreaker>("openai", clock_, CircuitBreakerOptions{100});
  RetryingClient client(std::make_unique<ScriptedClient>(replies, &calls_), lenient, clock_,
                        sleeper_, options);
  ASSERT_TRUE(client.Complete({}).ok());
  for (absl::Duration wait : sleeper_.waits()) EXPECT_LT(wait, absl::Seconds(60));
  EXPECT_GT(sleeper_.waits().back(), absl::Seconds(59));
}

TEST_F(RetryingClientTest, AnInterruptedSleepStopsRetrying) {
  sleeper_.Interrupt();
  auto client = Make({Http(absl::StatusCode::kUnavailable, 500), Ok()});
  absl::StatusOr<LlmResponse> reply = client->Complete({});
  EXPECT_TRUE(absl::IsUnavailable(reply.status()));
  EXPECT_THAT(std::string(reply.status().message()), HasSubstr("stopping"));
  EXPECT_EQ(calls_, 1);
}

TEST_F(RetryingClientTest, TheCircuitOpensAfterAStormAndFailsFastThenHalfOpens) {
  std::deque<absl::StatusOr<LlmResponse>> replies(5, Http(absl::StatusCode::kUnavailable, 500));
  replies.push_back(Ok());
  auto client = Make(replies, /*max_retries=*/10);
  absl::StatusOr<LlmResponse> first = client->Complete({});
  EXPECT_EQ(calls_, 5);  // the fifth failure opened the circuit; no sixth attempt
  EXPECT_THAT(std::string(first.status().message()), HasSubstr("circuit open for openai"));
  EXPECT_TRUE(client->circuit_open());

  absl::StatusOr<LlmResponse> fast = client->Complete({});
  EXPECT_TRUE(absl::IsUnavailable(fast.status()));
  EXPECT_THAT(std::string(fast.status().message()), HasSubstr("circuit open for openai until"));
  EXPECT_EQ(calls_, 5);

  clock_.Advance(absl::Seconds(60));
  EXPECT_EQ(client->circuit_state(), "half-open");
  absl::StatusOr<LlmResponse> probe = client->Complete({});
  ASSERT_TRUE(probe.ok()) << probe.status();
  EXPECT_EQ(client->circuit_state(), "closed");
}

TEST(ParseRetryAfterTest, SecondsAndHttpDates) {
  const absl::Time now = absl::FromUnixSeconds(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:50:37 GMT", now), absl::Seconds(60));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
}

}  // namespace
}  // namespace cambrian::mutators
