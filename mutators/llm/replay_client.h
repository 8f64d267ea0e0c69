// An LlmClient that never goes to the network: it answers each request with
// the reply a recorded run got for the same model and prompt. This is what
// `--llm replay` uses to re-run a recorded run's proposals offline.
#ifndef CAMBRIAN_MUTATORS_LLM_REPLAY_CLIENT_H_
#define CAMBRIAN_MUTATORS_LLM_REPLAY_CLIENT_H_

#include "absl/status/statusor.h"
#include "mutators/llm/llm_call_log.h"
#include "mutators/llm/llm_client.h"

namespace cambrian::mutators {

// Thread-safe if the log is (LlmCallLog implementations are).
class ReplayLlmClient : public LlmClient {
 public:
  // `recorded` holds the source run's calls, read through CachedResponse
  // (model, PromptHash(request)); not owned, must outlive the client.
  explicit ReplayLlmClient(LlmCallLog* recorded);

  // The recorded reply, with zero tokens (nothing is billed), attempts 0,
  // latency 0, finish_reason "replay" and the request's model.
  //   FailedPrecondition  no recorded reply for this prompt (the message
  //                       names the model and the start of the hash): the
  //                       replayed run asked something the recording never did
  //   other codes         reading the log failed
  [[nodiscard]] absl::StatusOr<LlmResponse> Complete(const LlmRequest& request) override;

 private:
  LlmCallLog* const recorded_;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_REPLAY_CLIENT_H_
