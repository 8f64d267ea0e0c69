#include "mutators/llm/prompt_budget.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/glob.h"

namespace cambrian::mutators {
namespace {

// Tokens per message a chat template may add (role markers, separators).
constexpr int64_t kTemplateTokens = 16;

// What is left of feedback and failure output when a prompt must shrink.
constexpr size_t kShortTail = 512;

// The last `bytes` of `text`, from a line start where there is one, marked.
std::string TailOf(const std::string& text, size_t bytes) {
  if (text.size() <= bytes) return text;
  size_t from = text.size() - bytes;
  if (size_t line = text.find('\n', from); line != std::string::npos && line + 1 < text.size()) {
    from = line + 1;
  }
  return "[... cut to fit the model's context ...]\n" + text.substr(from);
}

// The largest prompt `model` takes: its max_prompt_bytes, and where its
// context window is known, what fits beside the reply at a conservative 3
// bytes per token.
int64_t PromptCap(const ModelConfig& model, int max_tokens) {
  int64_t cap = model.max_prompt_bytes;
  if (model.context_tokens > 0) {
    cap = std::min(cap, std::max<int64_t>(0, model.context_tokens - max_tokens) * 3);
  }
  return cap;
}

}  // namespace

int64_t TokenBound(size_t bytes) { return static_cast<int64_t>(bytes) + kTemplateTokens; }

int64_t PromptTokenBound(const LlmRequest& request) {
  int64_t bound = TokenBound(request.system.size());
  for (const ChatMessage& message : request.messages) bound += TokenBound(message.content.size());
  return bound + kTemplateTokens;  // the reply's opening
}

int ReplyTokens(const Program& parent, const std::vector<std::string>& editable) {
  int64_t bytes = 0;
  for (const auto& [path, content] : parent) {
    if (MatchesAnyGlob(path, editable)) bytes += static_cast<int64_t>(content.size());
  }
  const int64_t tokens = bytes / 3 + bytes / 12 + 512;
  return static_cast<int>(std::clamp<int64_t>(tokens, 1024, 8192));
}

absl::StatusOr<BuiltPrompt> BuildCappedPrompt(const PromptSet& prompts,
                                              const MutationContext& context,
                                              const PromptChoice& choice,
                                              const std::string& rejection,
                                              const ModelConfig& model, int max_tokens) {
  const int64_t cap = PromptCap(model, max_tokens);
  const auto size = [](const BuiltPrompt& p) {
    return static_cast<int64_t>(p.system.size() + p.user.size());
  };
  BuiltPrompt prompt = BuildPrompt(prompts, context, choice, rejection);
  MutationContext lean = context;
  if (size(prompt) > cap && !lean.inspirations.empty()) {
    lean.inspirations.clear();  // inspirations are the first to go
    prompt = BuildPrompt(prompts, lean, choice, rejection);
  }
  if (size(prompt) > cap) {
    // Then long feedback and failure output, cut to their last lines.
    lean.parent_info.feedback = TailOf(lean.parent_info.feedback, kShortTail);
    lean.parent_info.failure = TailOf(lean.parent_info.failure, kShortTail);
    prompt = BuildPrompt(prompts, lean, choice, TailOf(rejection, kShortTail));
  }
  if (size(prompt) <= cap) return prompt;
  return absl::FailedPreconditionError(
      absl::StrCat("the prompt for #", context.parent_info.id, " would be ", size(prompt),
                   " bytes, over the cap of ", cap, " for ", model.model,
                   " (max_prompt_bytes, context_tokens in the [[llm.models]] entry)"));
}

}  // namespace cambrian::mutators
