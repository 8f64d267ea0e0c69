// The two providers' wire formats, without a network: request bodies and
// headers, and how replies parse.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mutators/llm/anthropic_wire.h"
#include "mutators/llm/llm_error.h"
#include "mutators/llm/openai_wire.h"
#include "nlohmann/json.hpp"

namespace cambrian::mutators {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

LlmRequest Request() {
  LlmRequest request;
  request.model = "m1";
  request.system = "be brief";
  request.messages = {{"user", "hello"}};
  request.temperature = 0.25;
  request.max_tokens = 99;
  return request;
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(OpenAiWireTest, RequestBodyPutsSystemFirst) {
  const json body = json::parse(OpenAiRequestBody(Request()));
  EXPECT_EQ(body["model"], "m1");
  EXPECT_EQ(body["messages"], json::parse(R"([{"role":"system","content":"be brief"},
                                              {"role":"user","content":"hello"}])"));
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.25);
  EXPECT_EQ(body["max_tokens"], 99);
  EXPECT_FALSE(body.contains("stop"));
}

TEST(OpenAiWireTest, StopSequencesAreSentOnlyWhenSet) {
  LlmRequest request = Request();
  request.stop = {"<|end|>", "\n\n\n"};
  EXPECT_EQ(json::parse(OpenAiRequestBody(request))["stop"], json({"<|end|>", "\n\n\n"}));
  EXPECT_EQ(json::parse(AnthropicRequestBody(request))["stop_sequences"],
            json({"<|end|>", "\n\n\n"}));
  EXPECT_FALSE(json::parse(AnthropicRequestBody(Request())).contains("stop_sequences"));
}

TEST(OpenAiWireTest, AGrammarIsSentOnlyWhenSetAndNeverToAnthropic) {
  LlmRequest request = Request();
  EXPECT_FALSE(json::parse(OpenAiRequestBody(request)).contains("grammar"));
  request.grammar = "root ::= \"x\"\n";
  EXPECT_EQ(json::parse(OpenAiRequestBody(request))["grammar"], "root ::= \"x\"\n");
  EXPECT_FALSE(json::parse(AnthropicRequestBody(request)).contains("grammar"));
}

TEST(OpenAiWireTest, UrlAndHeaders) {
  EXPECT_EQ(OpenAiUrl(""), "https://api.openai.com/v1/chat/completions");
  EXPECT_EQ(OpenAiUrl("http://h:8000/v1/"), "http://h:8000/v1/chat/completions");
  EXPECT_THAT(OpenAiHeaders("k"), UnorderedElementsAre(Pair("Content-Type", "application/json"),
                                                       Pair("Authorization", "Bearer k")));
  EXPECT_THAT(OpenAiHeaders(""), UnorderedElementsAre(Pair("Content-Type", "application/json")));
}

TEST(OpenAiWireTest, ParsesAReply) {
  absl::StatusOr<LlmResponse> reply = ParseOpenAiReply(R"({"model":"m1-2025",
      "choices":[{"message":{"role":"assistant","content":"hi","refusal":null},
                  "finish_reason":"length"}],
      "usage":{"prompt_tokens":5,"completion_tokens":7}})");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text, "hi");
  EXPECT_EQ(reply->finish_reason, "length");  // not an error: the caller decides
  EXPECT_EQ(reply->model, "m1-2025");
  EXPECT_EQ(reply->input_tokens, 5);
  EXPECT_EQ(reply->output_tokens, 7);
}

TEST(OpenAiWireTest, MalformedRepliesAreDataLoss) {
  for (const std::string body :
       {"", "{\"choices\": [", "[]", R"({"choices":[]})",
        R"({"choices":[{"finish_reason":"stop"}]})", R"({"choices":[{"message":{"content":"x"}}]})",
        R"({"choices":[{"message":{"content":"x"}}],"usage":{"prompt_tokens":"5"}})"}) {
    absl::StatusOr<LlmResponse> reply = ParseOpenAiReply(body);
    ASSERT_FALSE(reply.ok()) << body;
    EXPECT_TRUE(absl::IsDataLoss(reply.status())) << body << " " << reply.status();
  }
}

TEST(OpenAiWireTest, EmptyAndRefusedAreFailedPreconditionWithUsage) {
  const std::string usage = R"("usage":{"prompt_tokens":3,"completion_tokens":4})";
  absl::StatusOr<LlmResponse> empty = ParseOpenAiReply(
      R"({"choices":[{"message":{"content":""},"finish_reason":"stop"}],)" + usage + "}");
  ASSERT_TRUE(absl::IsFailedPrecondition(empty.status())) << empty.status();
  EXPECT_THAT(Message(empty.status()), HasSubstr("empty reply"));
  EXPECT_EQ(GetLlmErrorDetail(empty.status())->input_tokens, 3);
  EXPECT_EQ(GetLlmErrorDetail(empty.status())->output_tokens, 4);

  absl::StatusOr<LlmResponse> refused = ParseOpenAiReply(
      R"({"choices":[{"message":{"content":null,"refusal":"I can't"}}],)" + usage + "}");
  ASSERT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_THAT(Message(refused.status()), HasSubstr("refused: I can't"));
  EXPECT_FALSE(IsRetryable(refused.status()));
}

TEST(OpenAiWireTest, AnErrorObjectInA200IsRetryableUnavailable) {
  absl::StatusOr<LlmResponse> reply =
      ParseOpenAiReply(R"({"error":{"message":"upstream overloaded","code":502}})");
  ASSERT_TRUE(absl::IsUnavailable(reply.status())) << reply.status();
  EXPECT_THAT(Message(reply.status()), HasSubstr("upstream overloaded"));
  EXPECT_TRUE(IsRetryable(reply.status()));
}

TEST(AnthropicWireTest, RequestBody) {
  const json body = json::parse(AnthropicRequestBody(Request()));
  EXPECT_EQ(body["model"], "m1");
  EXPECT_EQ(body["system"], "be brief");
  EXPECT_EQ(body["messages"], json::parse(R"([{"role":"user","content":"hello"}])"));
  EXPECT_EQ(body["max_tokens"], 99);
  LlmRequest no_system = Request();
  no_system.system.clear();
  EXPECT_FALSE(json::parse(AnthropicRequestBody(no_system)).contains("system"));
}

TEST(AnthropicWireTest, UrlAndHeaders) {
  EXPECT_EQ(AnthropicUrl(""), "https://api.anthropic.com/v1/messages");
  EXPECT_THAT(AnthropicHeaders("k"), UnorderedElementsAre(Pair("Content-Type", "application/json"),
                                                          Pair("anthropic-version", "2023-06-01"),
                                                          Pair("x-api-key", "k")));
}

TEST(AnthropicWireTest, ConcatenatesTextBlocksAndSkipsOthers) {
  absl::StatusOr<LlmResponse> reply = ParseAnthropicReply(R"({"type":"message","model":"c1",
      "content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"a"},
                 {"type":"text","text":"b"}],
      "stop_reason":"max_tokens",
      "usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":2}})");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->text, "ab");
  EXPECT_EQ(reply->finish_reason, "max_tokens");
  EXPECT_EQ(reply->input_tokens, 15);
  EXPECT_EQ(reply->output_tokens, 2);
  EXPECT_EQ(reply->model, "c1");
}

TEST(AnthropicWireTest, Failures) {
  const std::string usage = R"("usage":{"input_tokens":1,"output_tokens":0})";
  EXPECT_TRUE(absl::IsDataLoss(ParseAnthropicReply(R"({"content":"x",)" + usage + "}").status()));
  EXPECT_TRUE(absl::IsDataLoss(ParseAnthropicReply(R"({"content":[]})").status()));
  EXPECT_TRUE(absl::IsDataLoss(ParseAnthropicReply("{\"content\":[{\"type\":").status()));
  absl::Status empty =
      ParseAnthropicReply(R"({"content":[],"stop_reason":"end_turn",)" + usage + "}").status();
  EXPECT_TRUE(absl::IsFailedPrecondition(empty)) << empty;
  EXPECT_THAT(Message(empty), HasSubstr("empty reply"));
  absl::Status refused =
      ParseAnthropicReply(R"({"content":[],"stop_reason":"refusal",)" + usage + "}").status();
  EXPECT_TRUE(absl::IsFailedPrecondition(refused)) << refused;
  EXPECT_THAT(Message(refused), HasSubstr("refused"));
  absl::Status overloaded =
      ParseAnthropicReply(
          R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})")
          .status();
  EXPECT_TRUE(absl::IsUnavailable(overloaded)) << overloaded;
  EXPECT_TRUE(IsRetryable(overloaded));
}

}  // namespace
}  // namespace cambrian::mutators
