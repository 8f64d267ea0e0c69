#include "mutators/llm/prompt_hash.h"

#include <set>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "gtest/gtest.h"

namespace cambrian::mutators {
namespace {

LlmRequest Sample() {
  LlmRequest request;
  request.model = "gpt-4.1-mini";
  request.system = "You improve code.";
  request.messages = {{"user", "Make it faster."},
                      {"assistant", "<<<<<<< SEARCH"},
                      {"user", "That did not apply."}};
  request.temperature = 0.7;
  request.max_tokens = 4096;
  return request;
}

TEST(PromptHashTest, SameRequestSameHash) {
  EXPECT_EQ(PromptHash(Sample()), PromptHash(Sample()));
  EXPECT_EQ(PromptHash(Sample()).size(), 64u);
}

TEST(PromptHashTest, SamplingSettingsDoNotChangeIt) {
  LlmRequest hotter = Sample();
  hotter.temperature = 1.2;
  hotter.max_tokens = 512;
  EXPECT_EQ(PromptHash(hotter), PromptHash(Sample()));
}

TEST(PromptHashTest, AnyChangeToWhatIsAskedChangesIt) {
  std::vector<LlmRequest> variants(9, Sample());
  variants[0].model = "gpt-4.1";
  variants[1].system = "You improve code!";
  variants[2].system = "";
  variants[3].messages[0].role = "assistant";
  variants[4].messages[2].content += " ";
  variants[5].messages.pop_back();
  variants[6].messages.push_back({"user", ""});  // even an empty message counts
  // Text moved across a boundary: only the length prefixes tell these apart.
  variants[7].system = "You improve code.Make it";
  variants[7].messages[0].content = " faster.";
  variants[8].messages[0].content = "Make it faster.<<<<<<< SEARCH";
  variants[8].messages[1].content = "";
  std::set<std::string> hashes = {PromptHash(Sample())};
  for (const LlmRequest& variant : variants) hashes.insert(PromptHash(variant));
  EXPECT_EQ(hashes.size(), variants.size() + 1);
}

TEST(PromptHashTest, EncodingIsPinned) {
  LlmRequest request;
  request.model = "m";
  request.system = "sys";
  request.messages = {{"user", "hi"}};
  // The documented encoding, spelled out...
  EXPECT_EQ(PromptHash(request), Sha256Hex("cambrian-prompt-v1\n1:m\n3:sys\n1:1\n4:user\n2:hi\n"));
  // ...and pinned, so that no change to it slips by: stored hashes (the
  // response cache, --llm replay of old runs) depend on it.
  EXPECT_EQ(PromptHash(request),
            "bcacdbac1b6ccae90808ceff672c84a6b4378fa4e0e53ddf25e3bf85a2ba69ac");
}

TEST(PromptHashTest, PromptTextIsReadable) {
  EXPECT_EQ(PromptText(Sample()),
            "[system]\nYou improve code.\n[user]\nMake it faster.\n[assistant]\n<<<<<<< SEARCH\n"
            "[user]\nThat did not apply.");
  LlmRequest no_system = Sample();
  no_system.system = "";
  no_system.messages.resize(1);
  EXPECT_EQ(PromptText(no_system), "[user]\nMake it faster.");
  EXPECT_EQ(PromptText(LlmRequest{}), "");
}

}  // namespace
}  // namespace cambrian::mutators
