#include "mutators/llm/spend_meter.h"

#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;

SpendCaps CostCap(double usd) { return SpendCaps{.max_cost_usd = usd}; }
SpendCaps TokenCap(int64_t tokens) { return SpendCaps{.max_tokens = tokens}; }

int64_t MustReserve(SpendMeter& meter, int64_t tokens, double cost) {
  absl::StatusOr<int64_t> ticket = meter.Reserve(tokens, cost);
  EXPECT_TRUE(ticket.ok()) << ticket.status();
  return ticket.value_or(-1);
}

TEST(SpendMeterTest, CallsInFlightCountAgainstTheCap) {
  SpendMeter meter(CostCap(1.0));
  const int64_t first = MustReserve(meter, 1000, 0.6);
  absl::StatusOr<int64_t> second = meter.Reserve(1000, 0.6);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(second.status().message(),
            "LLM cost cap $1.00 would be crossed: spent $0.0000, $0.6000 reserved by 1 call in "
            "flight, this call may cost up to $0.6000");
  // The real usage replaces the worst case and frees the rest.
  meter.Settle(first, Spend{.input_tokens = 300, .output_tokens = 100, .cost_usd = 0.1});
  MustReserve(meter, 1000, 0.6);
  const Spend settled = meter.settled();
  EXPECT_EQ(settled.input_tokens, 300);
  EXPECT_EQ(settled.output_tokens, 100);
  EXPECT_DOUBLE_EQ(settled.cost_usd, 0.1);
  EXPECT_EQ(settled.calls, 1);
  const Spend reserved = meter.reserved();
  EXPECT_EQ(reserved.calls, 1);
  EXPECT_EQ(reserved.input_tokens, 1000);
  EXPECT_DOUBLE_EQ(reserved.cost_usd, 0.6);
}

TEST(SpendMeterTest, TokenAndDollarCapsAreIndependent) {
  SpendMeter tokens_only(TokenCap(1000));
  MustReserve(tokens_only, 600, 500.0);  // no dollar cap: any price fits
  absl::StatusOr<int64_t> refused = tokens_only.Reserve(600, 0);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.status().message(),
            "LLM token cap 1000 would be crossed: used 0 tokens, 600 reserved by 1 call in "
            "flight, this call may use up to 600");
  MustReserve(tokens_only, 400, 0);  // exactly at the cap is allowed

  SpendMeter dollars_only(CostCap(2.0));
  MustReserve(dollars_only, 1'000'000'000, 1.5);  // no token cap
  EXPECT_THAT(dollars_only.Reserve(1, 0.6).status().message(), HasSubstr("LLM cost cap $2.00"));

  SpendMeter both(SpendCaps{.max_cost_usd = 1.0, .max_tokens = 100});
  EXPECT_THAT(both.Reserve(101, 0.01).status().message(), HasSubstr("token cap"));
  EXPECT_THAT(both.Reserve(10, 1.01).status().message(), HasSubstr("cost cap"));
  MustReserve(both, 100, 1.0);
}

TEST(SpendMeterTest, EarlierSessionsSpendCounts) {
  SpendMeter meter(SpendCaps{.max_cost_usd = 1.0, .max_tokens = 10'000},
                   Spend{.input_tokens = 6000, .output_tokens = 3000, .cost_usd = 0.9, .calls = 7});
  absl::StatusOr<int64_t> refused = meter.Reserve(100, 0.2);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("spent $0.9000, $0.0000 reserved by 0 calls"));
  EXPECT_THAT(meter.Reserve(1001, 0).status().message(),
              HasSubstr("used 9000 tokens, 0 reserved by 0 calls"));
  const int64_t ticket = MustReserve(meter, 1000, 0.1);
  meter.Settle(ticket, Spend{.input_tokens = 10, .output_tokens = 5, .cost_usd = 0.05});
  EXPECT_EQ(meter.settled().calls, 8);
  EXPECT_EQ(meter.settled().input_tokens, 6010);
  EXPECT_TRUE(meter.Exhausted(0, 0.1));
  EXPECT_FALSE(meter.Exhausted(0, 0.05));
  EXPECT_TRUE(meter.Exhausted(1000, 0));
}

TEST(SpendMeterTest, CancelDropsTheReservationAndCountsNoCall) {
  SpendMeter meter(CostCap(1.0));
  const int64_t ticket = MustReserve(meter, 10, 0.8);
  EXPECT_FALSE(meter.Reserve(10, 0.8).ok());
  meter.Cancel(ticket);
  meter.Cancel(ticket);  // twice is harmless
  meter.Cancel(12345);
  EXPECT_EQ(meter.reserved().calls, 0);
  EXPECT_EQ(meter.settled().calls, 0);
  MustReserve(meter, 10, 0.8);
}

TEST(SpendMeterTest, ExhaustedIgnoresCallsInFlight) {
  SpendMeter meter(CostCap(1.0));
  const int64_t ticket = MustReserve(meter, 10, 0.6);
  // Refused now, but waiting for the call in flight may free headroom.
  EXPECT_FALSE(meter.Reserve(10, 0.6).ok());
  EXPECT_FALSE(meter.Exhausted(10, 0.6));
  meter.Settle(ticket, Spend{.cost_usd = 0.6});
  EXPECT_TRUE(meter.Exhausted(10, 0.6));
  EXPECT_FALSE(meter.Exhausted(10, 0.4));
  SpendMeter uncapped({});
  EXPECT_FALSE(uncapped.Exhausted(1'000'000, 1e6));
}

TEST(SpendMeterTest, RoundingCannotRefuseACallThatFitsExactly) {
  SpendMeter meter(CostCap(0.3));
  MustReserve(meter, 0, 0.1);
  MustReserve(meter, 0, 0.2);  // 0.1 + 0.2 is 0.30000000000000004 in doubles
  EXPECT_FALSE(meter.Reserve(0, 0.0001).ok());
}

TEST(SpendMeterTest, RejectsNonsenseAmounts) {
  SpendMeter meter({});
  EXPECT_EQ(meter.Reserve(-1, 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(meter.Reserve(0, -0.5).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(meter.Reserve(0, std::nan("")).status().code(), absl::StatusCode::kInvalidArgument);
}

// 8 proposal threads race to reserve; whatever the interleaving, what is
// settled plus what is reserved never exceeds the cap.
TEST(SpendMeterTest, ConcurrentReservationsNeverCrossTheCap) {
  constexpr double kCap = 1.0;
  constexpr int64_t kTokenCap = 100'000;
  SpendMeter meter(SpendCaps{.max_cost_usd = kCap, .max_tokens = kTokenCap});
  std::atomic<int> granted = 0;
  std::atomic<int> violations = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < 100; ++n) {
        absl::StatusOr<int64_t> ticket = meter.Reserve(900, 0.03);
        if (!ticket.ok()) continue;
        ++granted;
        // settled() first: it only grows, so this sum never overstates a
        // state the meter was really in.
        const Spend settled = meter.settled();
        const Spend reserved = meter.reserved();
        if (settled.cost_usd + reserved.cost_usd > kCap + 1e-9 ||
            settled.input_tokens + settled.output_tokens + reserved.input_tokens > kTokenCap) {
          ++violations;
        }
        // Each call really used a third of its worst case.
        meter.Settle(*ticket, Spend{.input_tokens = 200, .output_tokens = 100, .cost_usd = 0.01});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(violations, 0);
  const Spend settled = meter.settled();
  EXPECT_EQ(settled.calls, granted);
  EXPECT_LE(settled.cost_usd, kCap + 1e-9);
  EXPECT_LE(settled.input_tokens + settled.output_tokens, kTokenCap);
  // Settling freed headroom: far more than the 33 worst cases fit.
  EXPECT_GT(granted, 33);
  EXPECT_EQ(meter.reserved().calls, 0);
}

TEST(SpendMeterTest, ConcurrentReservationsWithoutSettlingStopAtTheCap) {
  SpendMeter meter(CostCap(1.0));
  std::atomic<int> granted = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int n = 0; n < 20; ++n) {
        if (meter.Reserve(10, 0.03).ok()) ++granted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(granted, 33);  // 33 x $0.03 = $0.99; a 34th would make $1.02
  EXPECT_EQ(meter.reserved().calls, 33);
  EXPECT_LE(meter.reserved().cost_usd, 1.0 + 1e-9);
}

}  // namespace
}  // namespace cambrian::mutators
