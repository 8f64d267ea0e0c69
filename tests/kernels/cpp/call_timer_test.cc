#include "call_timer.h"

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(CallTimerTest, ChargesWallWhenTheWorkerUsedLessCpu) {
  CallTimer timer;
  timer.Begin(100 * kMs);
  timer.Sent(1000 * kMs);
  timer.Answered(1010 * kMs);
  timer.Settle(109 * kMs);
  const CallCharge& call = timer.calls()[0];
  EXPECT_TRUE(call.answered && call.settled);
  EXPECT_EQ(call.wall_ns, 10 * kMs);
  EXPECT_EQ(call.cpu_ns, 9 * kMs);
  EXPECT_EQ(call.charged_ns(), 10 * kMs);
}

// Work deferred past DONE (a background thread) lands in the call's tail,
// which the next call's first meter reading closes.
TEST(CallTimerTest, TailCpuIsChargedToThePreviousCall) {
  CallTimer timer;
  timer.Begin(0);
  timer.Sent(0);
  timer.Answered(1 * kMs);
  EXPECT_FALSE(timer.calls()[0].settled);
  // 1 ms answering, then 50 ms of CPU after DONE before the next call.
  const size_t second = timer.Begin(51 * kMs);
  EXPECT_EQ(second, 1u);
  EXPECT_TRUE(timer.calls()[0].settled);
  EXPECT_EQ(timer.calls()[0].charged_ns(), 51 * kMs);
  timer.Sent(100 * kMs);
  timer.Answered(102 * kMs);
  timer.Settle(53 * kMs);
  EXPECT_EQ(timer.calls()[1].charged_ns(), 2 * kMs);
}

// Two threads for 10 ms of wall are 20 ms of CPU.
TEST(CallTimerTest, ParallelWorkIsChargedItsCpu) {
  CallTimer timer;
  timer.Begin(0);
  timer.Sent(5 * kMs);
  timer.Answered(15 * kMs);
  timer.Settle(20 * kMs);
  EXPECT_EQ(timer.calls()[0].charged_ns(), 20 * kMs);
}

TEST(CallTimerTest, UnmeteredChargesWall) {
  CallTimer timer;
  timer.Begin(std::nullopt);
  timer.Sent(0);
  timer.Answered(3 * kMs);
  timer.Settle(std::nullopt);
  EXPECT_EQ(timer.calls()[0].cpu_ns, -1);
  EXPECT_EQ(timer.calls()[0].charged_ns(), 3 * kMs);
}

TEST(CallTimerTest, SettleTwiceKeepsTheFirstAndBackwardsMetersClamp) {
  CallTimer timer;
  timer.Begin(10 * kMs);
  timer.Sent(0);
  timer.Answered(1);
  timer.Settle(5 * kMs);
  timer.Settle(500 * kMs);
  EXPECT_EQ(timer.calls()[0].cpu_ns, 0);
  EXPECT_EQ(timer.calls()[0].charged_ns(), 1);
}

TEST(CallTimerTest, UnansweredCallHasNoWall) {
  CallTimer timer;
  timer.Begin(0);
  timer.Sent(0);
  timer.Settle(7);
  EXPECT_FALSE(timer.calls()[0].answered);
  EXPECT_EQ(timer.calls()[0].wall_ns, 0);
}

}  // namespace
}  // namespace cambrian::kernels
