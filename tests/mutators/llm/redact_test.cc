#include "mutators/llm/redact.h"

#include <string>

#include "absl/strings/cord.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(RedactTest, ReplacesEveryOccurrence) {
  EXPECT_EQ(Redact("bad key sk-test-123, again sk-test-123.", {"sk-test-123"}),
            "bad key [REDACTED], again [REDACTED].");
}

TEST(RedactTest, ReplacesEncodedForms) {
  const std::string key = "sk/a+b=c";
  EXPECT_EQ(Redact("url sk%2Fa%2Bb%3Dc", {key}), "url [REDACTED]");
  EXPECT_EQ(Redact("url sk%2fa%2bb%3dc", {key}), "url [REDACTED]");
  EXPECT_EQ(Redact("b64 c2svYStiPWM=", {key}), "b64 [REDACTED]");
  EXPECT_EQ(Redact(R"(json "k\"ey")", {"k\"ey"}), R"(json "[REDACTED]")");
}

TEST(RedactTest, IgnoresEmptySecretsAndLeavesOtherTextAlone) {
  EXPECT_EQ(Redact("nothing secret here", {"", "sk-absent"}), "nothing secret here");
}

TEST(RedactTest, SeveralSecrets) {
  EXPECT_EQ(Redact("a=KEYONE b=KEYTWO", {"KEYONE", "KEYTWO"}), "a=[REDACTED] b=[REDACTED]");
}

TEST(RedactTest, StatusKeepsCodeAndPayloads) {
  absl::Status status = absl::UnauthenticatedError("HTTP 401: bad key sk-live-9");
  status.SetPayload("type.test/x", absl::Cord("payload"));
  const absl::Status redacted = RedactStatus(status, {"sk-live-9"});
  EXPECT_TRUE(absl::IsUnauthenticated(redacted));
  EXPECT_THAT(std::string(redacted.message()), HasSubstr("[REDACTED]"));
  EXPECT_THAT(std::string(redacted.message()), Not(HasSubstr("sk-live-9")));
  EXPECT_EQ(std::string(*redacted.GetPayload("type.test/x")), "payload");
  EXPECT_TRUE(RedactStatus(absl::OkStatus(), {"x"}).ok());
}

}  // namespace
}  // namespace cambrian::mutators
