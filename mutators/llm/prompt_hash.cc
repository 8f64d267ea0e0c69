#include "mutators/llm/prompt_hash.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"

namespace cambrian::mutators {
namespace {

// Bumped only if the encoding must change; every cached reply is then missed
// once, which is the safe failure.
constexpr std::string_view kEncodingTag = "cambrian-prompt-v1\n";

// "<byte length>:<bytes>\n": the length makes the boundaries unambiguous
// whatever the text contains.
void AddField(Sha256& hasher, std::string_view field) {
  hasher.Update(absl::StrCat(field.size(), ":"));
  hasher.Update(field);
  hasher.Update("\n");
}

}  // namespace

std::string PromptHash(const LlmRequest& request) {
  Sha256 hasher;
  hasher.Update(kEncodingTag);
  AddField(hasher, request.model);
  AddField(hasher, request.system);
  AddField(hasher, absl::StrCat(request.messages.size()));
  for (const ChatMessage& message : request.messages) {
    AddField(hasher, message.role);
    AddField(hasher, message.content);
  }
  return hasher.HexDigest();
}

std::string PromptText(const LlmRequest& request) {
  std::string text;
  if (!request.system.empty()) absl::StrAppend(&text, "[system]\n", request.system);
  for (const ChatMessage& message : request.messages) {
    if (!text.empty()) text += "\n";
    absl::StrAppend(&text, "[", message.role, "]\n", message.content);
  }
  return text;
}

}  // namespace cambrian::mutators
