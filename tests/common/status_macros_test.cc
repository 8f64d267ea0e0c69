#include "common/status_macros.h"

#include <gtest/gtest.h>

namespace cambrian {
namespace {

absl::StatusOr<int> Half(int x) {
  if (x % 2 != 0) return absl::InvalidArgumentError("odd");
  return x / 2;
}

absl::StatusOr<int> Quarter(int x) {
  CAMBRIAN_ASSIGN_OR_RETURN(int half, Half(x));
  CAMBRIAN_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusMacrosTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(AnnotateTest, PrefixesKeepsCodeAndPayloads) {
  absl::Status status = absl::UnavailableError("down");
  status.SetPayload("cambrian/test", absl::Cord("retry-after=3"));
  absl::Status annotated = Annotate(status, "calling the model");
  EXPECT_EQ(annotated.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(annotated.message(), "calling the model: down");
  ASSERT_TRUE(annotated.GetPayload("cambrian/test").has_value());
  EXPECT_EQ(std::string(*annotated.GetPayload("cambrian/test")), "retry-after=3");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "x").ok());
}

}  // namespace
}  // namespace cambrian
