#include "mutators/llm/replay_client.h"

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/prompt_hash.h"

namespace cambrian::mutators {
namespace {

using ::testing::HasSubstr;

// A recorded run: replies by (model, prompt hash). Records nothing.
class RecordedCalls : public LlmCallLog {
 public:
  void Add(const std::string& model, const std::string& hash, const std::string& reply) {
    replies_[{model, hash}] = reply;
  }
  void Fail(absl::Status status) { failure_ = std::move(status); }
  int lookups() const { return lookups_; }

  absl::StatusOr<int64_t> Record(const LlmCallRecord&) override {
    return absl::InternalError("a replay must not record into its source run");
  }
  absl::StatusOr<std::optional<std::string>> CachedResponse(
      const std::string& model, const std::string& prompt_hash) override {
    ++lookups_;
    if (!failure_.ok()) return failure_;
    auto it = replies_.find({model, prompt_hash});
    if (it == replies_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }

 private:
  std::map<std::pair<std::string, std::string>, std::string> replies_;
  absl::Status failure_;
  int lookups_ = 0;
};

LlmRequest Request(const std::string& model, const std::string& content) {
  LlmRequest request;
  request.model = model;
  request.system = "You improve code.";
  request.messages = {{"user", content}};
  return request;
}

TEST(ReplayLlmClientTest, AnswersWithTheRecordedReplyForFree) {
  RecordedCalls recorded;
  const LlmRequest request = Request("claude-sonnet-4", "Make it faster.");
  recorded.Add("claude-sonnet-4", PromptHash(request), "the recorded edits");
  ReplayLlmClient client(&recorded);
  absl::StatusOr<LlmResponse> response = client.Complete(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->text, "the recorded edits");
  EXPECT_EQ(response->input_tokens, 0);
  EXPECT_EQ(response->output_tokens, 0);
  EXPECT_EQ(response->attempts, 0);
  EXPECT_EQ(response->latency, absl::ZeroDuration());
  EXPECT_EQ(response->model, "claude-sonnet-4");
  EXPECT_EQ(response->finish_reason, "replay");
  // Sampling settings are not part of the prompt's identity.
  LlmRequest hotter = request;
  hotter.temperature = 1.5;
  EXPECT_TRUE(client.Complete(hotter).ok());
}

TEST(ReplayLlmClientTest, AnUnrecordedPromptIsAFailedPrecondition) {
  RecordedCalls recorded;
  const LlmRequest recorded_request = Request("gpt-4.1-mini", "Make it faster.");
  recorded.Add("gpt-4.1-mini", PromptHash(recorded_request), "edits");
  ReplayLlmClient client(&recorded);
  const LlmRequest other = Request("gpt-4.1-mini", "Make it smaller.");
  absl::StatusOr<LlmResponse> response = client.Complete(other);
  ASSERT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(response.status().message(), HasSubstr("no recorded reply for this prompt"));
  EXPECT_THAT(response.status().message(), HasSubstr("model gpt-4.1-mini"));
  EXPECT_THAT(response.status().message(), HasSubstr(PromptHash(other).substr(0, 12)));
  // The same prompt to another model was never recorded either.
  EXPECT_EQ(client.Complete(Request("gpt-4.1", "Make it faster.")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(recorded.lookups(), 2);
}

TEST(ReplayLlmClientTest, ALogFailureIsPassedOnWithItsCode) {
  RecordedCalls recorded;
  recorded.Fail(absl::UnavailableError("database is locked"));
  ReplayLlmClient client(&recorded);
  absl::StatusOr<LlmResponse> response = client.Complete(Request("m", "x"));
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("database is locked"));
}

}  // namespace
}  // namespace cambrian::mutators
