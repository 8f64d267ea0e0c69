#include "common/outcome.h"

#include <gtest/gtest.h>

namespace cambrian {
namespace {

TEST(OutcomeTest, NamesRoundTrip) {
  for (Outcome outcome :
       {Outcome::kOk, Outcome::kBuildError, Outcome::kRuntimeError, Outcome::kTimeout,
        Outcome::kMemoryLimit, Outcome::kOutputLimit, Outcome::kKilled, Outcome::kWrongAnswer,
        Outcome::kProcessLimit, Outcome::kDiskLimit, Outcome::kTampered, Outcome::kImplausible,
        Outcome::kInodeLimit, Outcome::kControllerCrash}) {
    auto parsed = ParseOutcome(OutcomeName(outcome));
    ASSERT_TRUE(parsed.has_value()) << OutcomeName(outcome);
    EXPECT_EQ(*parsed, outcome);
  }
  EXPECT_EQ(OutcomeName(Outcome::kBuildError), "build_error");
  EXPECT_EQ(OutcomeName(Outcome::kProcessLimit), "process_limit");
  EXPECT_EQ(OutcomeName(Outcome::kDiskLimit), "disk_limit");
  EXPECT_EQ(OutcomeName(Outcome::kTampered), "tampered");
  EXPECT_EQ(OutcomeName(Outcome::kInodeLimit), "inode_limit");
  EXPECT_EQ(OutcomeName(Outcome::kControllerCrash), "controller_crash");
  EXPECT_FALSE(ParseOutcome("exploded").has_value());
}

}  // namespace
}  // namespace cambrian
