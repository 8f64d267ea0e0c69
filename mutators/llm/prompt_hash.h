// The identity and the stored text of an LLM request. The hash keys the
// response cache (archive table llm_calls, LlmCallLog::CachedResponse) and
// --llm replay, so it must not change between versions of cambrian for the
// same request: the encoding below is versioned and pinned by a test.
#ifndef CAMBRIAN_MUTATORS_LLM_PROMPT_HASH_H_
#define CAMBRIAN_MUTATORS_LLM_PROMPT_HASH_H_

#include <string>

#include "mutators/llm/llm_client.h"

namespace cambrian::mutators {

// Lower-case hex SHA-256 of a canonical encoding of what is asked: the
// model, the system prompt and each message's role and content, each
// length-prefixed so no two different requests encode alike.
//
// temperature and max_tokens are left out on purpose: the cache exists to
// make a resumed or repeated run free, and a reply sampled at temperature
// 0.8 is as valid an answer to the same prompt as one sampled at 0.7 (a
// reply cut short by max_tokens is not a reusable outcome anyway). Changing
// either in the config therefore keeps the cache warm; change the prompt or
// the model to ask afresh.
std::string PromptHash(const LlmRequest& request);

// The request as readable text, stored as the call's prompt: a "[system]"
// section (if there is a system prompt) and one "[role]" section per
// message, each header on its own line followed by the text:
//   [system]\nYou improve code.\n[user]\nMake it faster.
std::string PromptText(const LlmRequest& request);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_PROMPT_HASH_H_
