// What a call may cost and how large its prompt may be: the token bound the
// spend caps reserve, the reply budget sized to the edit, and a prompt cut
// down to the model's cap (inspirations first, then long feedback) or
// refused.
#ifndef CAMBRIAN_MUTATORS_LLM_PROMPT_BUDGET_H_
#define CAMBRIAN_MUTATORS_LLM_PROMPT_BUDGET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/program.h"
#include "mutators/llm/llm_client.h"
#include "mutators/llm/model_config.h"
#include "mutators/llm/prompt_builder.h"
#include "mutators/mutator.h"

namespace cambrian::mutators {

// An upper bound on the tokens of `bytes` of text plus a chat template's
// per-message tokens (16): every token of a byte-level BPE or a
// byte-fallback SentencePiece vocabulary covers at least one byte. (Real
// counts are 2.5-4 bytes per token; a cap must hold for any tokenizer, so
// the reservation is the bound and the reported usage settles it.)
int64_t TokenBound(size_t bytes);

// The bound for a whole request: system, messages and the reply's opening.
int64_t PromptTokenBound(const LlmRequest& request);

// The reply budget of a model whose max_tokens is 0: the editable files'
// bytes / 3 (a whole-file rewrite, at a generous 3 bytes per token) plus a
// quarter of that and 512 for the explanation, from 1024 to 8192. A small
// model that rambles stops there instead of at a 4096 default.
int ReplyTokens(const Program& parent, const std::vector<std::string>& editable);

// The prompt for `context`, cut to `model`'s cap (max_prompt_bytes and,
// where the context window is known, what fits beside `max_tokens` of reply
// at a conservative 3 bytes per token): inspirations go first, then long
// feedback and failure output are cut to their last 512 bytes (marked).
// FailedPrecondition naming the sizes if it still does not fit.
[[nodiscard]] absl::StatusOr<BuiltPrompt> BuildCappedPrompt(
    const PromptSet& prompts, const MutationContext& context, const PromptChoice& choice,
    const std::string& rejection, const ModelConfig& model, int max_tokens);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_PROMPT_BUDGET_H_
