#include "mutators/llm/circuit_breaker.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_time.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

CircuitBreakerOptions Options() {
  CircuitBreakerOptions options;
  options.failure_threshold = 3;
  options.cool_down = absl::Seconds(60);
  options.max_cool_down = absl::Seconds(200);
  return options;
}

void Fail(CircuitBreaker& breaker, int times) {
  for (int i = 0; i < times; ++i) {
    ASSERT_TRUE(breaker.Allow().ok());
    breaker.RecordFailure();
  }
}

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndFailsFast) {
  testing::ManualClock clock;
  CircuitBreaker breaker("openai", clock, Options());
  Fail(breaker, 2);
  EXPECT_FALSE(breaker.open());
  EXPECT_EQ(breaker.State(), "closed");
  Fail(breaker, 1);
  EXPECT_TRUE(breaker.open());
  const absl::Status denied = breaker.Allow();
  EXPECT_TRUE(absl::IsUnavailable(denied));
  const std::string until =
      absl::FormatTime("%H:%M:%S", clock.Now() + absl::Seconds(60), absl::LocalTimeZone());
  EXPECT_EQ(std::string(denied.message()), "circuit open for openai until " + until);
  EXPECT_EQ(breaker.State(), "open until " + until);
}

TEST(CircuitBreakerTest, ASuccessResetsTheCount) {
  testing::ManualClock clock;
  CircuitBreaker breaker("openai", clock, Options());
  Fail(breaker, 2);
  ASSERT_TRUE(breaker.Allow().ok());
  breaker.RecordSuccess();
  Fail(breaker, 2);
  EXPECT_FALSE(breaker.open());
}

TEST(CircuitBreakerTest, HalfOpensAfterTheCoolDownWithOneProbe) {
  testing::ManualClock clock;
  CircuitBreaker breaker("anthropic", clock, Options());
  Fail(breaker, 3);
  clock.Advance(absl::Seconds(59));
  EXPECT_FALSE(breaker.Allow().ok());
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(breaker.State(), "half-open");
  EXPECT_FALSE(breaker.open());
  ASSERT_TRUE(breaker.Allow().ok());  // the probe
  EXPECT_TRUE(breaker.open());
  EXPECT_THAT(std::string(breaker.Allow().message()), HasSubstr("half-open"));
  breaker.RecordSuccess();
  EXPECT_EQ(breaker.State(), "closed");
  EXPECT_TRUE(breaker.Allow().ok());
}

TEST(CircuitBreakerTest, AFailedProbeDoublesTheCoolDownUpToTheMax) {
  testing::ManualClock clock;
  CircuitBreaker breaker("openai", clock, Options());
  Fail(breaker, 3);
  for (absl::Duration expected : {absl::Seconds(120), absl::Seconds(200), absl::Seconds(200)}) {
    clock.Advance(absl::Hours(1));
    Fail(breaker, 1);  // the probe fails
    EXPECT_THAT(breaker.State(), StartsWith("open until"));
    clock.Advance(expected - absl::Seconds(1));
    EXPECT_TRUE(breaker.open()) << expected;
    clock.Advance(absl::Seconds(1));
    EXPECT_FALSE(breaker.open()) << expected;
  }
}

}  // namespace
}  // namespace cambrian::mutators
