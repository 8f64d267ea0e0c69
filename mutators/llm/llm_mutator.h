// The LLM mutator: asks a model of the ensemble for an edit of the parent and
// applies it. One Propose is one LLM call (or one cache hit), recorded in the
// call log whatever happens.
#ifndef CAMBRIAN_MUTATORS_LLM_LLM_MUTATOR_H_
#define CAMBRIAN_MUTATORS_LLM_LLM_MUTATOR_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "mutators/llm/edit_format.h"
#include "mutators/llm/llm_call_log.h"
#include "mutators/llm/llm_client.h"
#include "mutators/llm/model_bandit.h"
#include "mutators/llm/model_config.h"
#include "mutators/llm/prompt_budget.h"
#include "mutators/llm/prompt_builder.h"
#include "mutators/llm/prompt_template.h"
#include "mutators/llm/spend_meter.h"
#include "mutators/mutator.h"

namespace cambrian::mutators {

// How often each edit mode is asked for (relative weights, not negative, not
// both 0). A failed parent always gets a repair prompt, answered in the mode
// drawn from this mix.
struct ModeMix {
  double diff = 0.8;
  double rewrite = 0.2;
};

// Name "llm", IsSlow() true, Propose thread-safe.
//
// Propose draws a model by weight and a mode from the mix (context.rng),
// renders the prompt (system.txt + one user message), and:
//   1. the first time this mutator sees a (model, prompt hash), asks the call
//      log for a cached reply: a hit is used at no cost and recorded
//      "cached" (later identical prompts go to the model, so a run keeps
//      sampling fresh answers while a resumed run replays its old ones);
//   2. otherwise reserves the worst case with the SpendMeter: input tokens
//      bounded by the prompt's bytes (no tokenizer makes more tokens than
//      bytes) plus 16 per message for the chat template, and the model's
//      max_tokens of output, priced by its price table; calls the client;
//      settles with the usage reported (the bounds if the server reports
//      none), so the caps hold whatever the tokenizer;
//   3. applies the reply's edits (edit_format.h) and records the call with
//      outcome "ok", "rejected" (and why), or the client's failure:
//      "timeout", "malformed", "refused", "empty", "http_error" or
//      "cancelled" (the run stopped while it was out).
// The proposal's llm_call_id is the recorded call; its description is
// "<model> <mode>: <summary>", mode being diff, rewrite or repair.
//
// Errors:
//   FailedPrecondition  the reply was rejected, refused or empty (the reason
//                       is recorded; for a rejection it is also shown in the
//                       next prompt for the same parent)
//   Aborted             the spend caps are full only because of calls in
//                       flight: nothing was sent; ask again once one settles
//   Unavailable         the call failed: timeout, HTTP error, malformed reply
//                       (recorded with that outcome)
//   Cancelled           the transport was cancelled: the run is stopping
//                       (recorded "cancelled")
//   ResourceExhausted   a spend cap leaves no room for this call even once
//                       every call in flight has settled (recorded "budget"):
//                       the run should end
//   InvalidArgument     a missing parent/rng, or an invalid configuration
//   other codes         the call log failed (a harness problem)
class LlmMutator final : public Mutator {
 public:
  // `ensemble` and `clients` pair up by index (clients[i] serves
  // ensemble[i]); clients, log and meter are not owned and must outlive the
  // mutator; `prompts` is copied. `clock` (optional, not owned) times calls
  // that fail; the system clock by default.
  LlmMutator(std::vector<ModelConfig> ensemble, std::vector<LlmClient*> clients,
             const PromptSet& prompts, LlmCallLog* log, SpendMeter* meter, ModeMix mix = {},
             const Clock* clock = nullptr);

  // The constructor's arguments checked: InvalidArgument if the ensemble is
  // empty, the sizes differ, a client, log or meter is null, a weight is
  // negative or all are 0, or the mode mix is invalid.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<LlmMutator>> Create(
      std::vector<ModelConfig> ensemble, std::vector<LlmClient*> clients, const PromptSet& prompts,
      LlmCallLog* log, SpendMeter* meter, ModeMix mix = {}, const Clock* clock = nullptr);

  std::string_view name() const override { return "llm"; }
  bool IsSlow() const override { return true; }
  [[nodiscard]] absl::StatusOr<Proposal> Propose(const MutationContext& context) override;
  // A child of the model `arm` (the proposal's arm: its ensemble index)
  // was evaluated; `improved` if it beat its parent. Feeds the bandit.
  void Observe(const std::string& arm, bool improved) override;

  // From now on each call's model is chosen by ModelBandit (learning which
  // model's children improve, per cost) instead of by weight. Call before
  // the first Propose.
  void EnableModelBandit();
  // The bandit's arms, in ensemble order; empty without the bandit.
  std::vector<ModelBandit::Arm> ModelStats() const;

  // Why the last proposal for this parent program was rejected ("" if it was
  // not, or was forgotten: the memory holds the latest 1024 parents).
  std::string PreviousRejection(const Program& parent) const;

 private:
  struct Call;  // one Propose's state (llm_mutator.cc)

  absl::Status Validate() const;
  size_t PickModel(Rng& rng);
  void NoteCall(size_t arm, double cost_usd);
  absl::StatusOr<Proposal> Finish(Call& call, const MutationContext& context);
  absl::StatusOr<Proposal> AskModel(Call& call, const MutationContext& context);
  void RememberRejection(const std::string& parent_hash, const std::string& reason);
  bool FirstAsk(const std::string& key);

  const std::vector<ModelConfig> ensemble_;
  const std::vector<LlmClient*> clients_;
  const PromptSet prompts_;
  LlmCallLog* const log_;
  SpendMeter* const meter_;
  const ModeMix mix_;
  const SystemClock system_clock_;
  const Clock* const clock_;

  mutable absl::Mutex mutex_;
  // Parent program hash -> the reason its last proposal was rejected.
  std::map<std::string, std::string> rejections_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> rejection_order_ ABSL_GUARDED_BY(mutex_);
  std::optional<ModelBandit> bandit_ ABSL_GUARDED_BY(mutex_);
  // "model\nprompt hash" keys already asked in this process.
  std::set<std::string> asked_ ABSL_GUARDED_BY(mutex_);
  std::deque<std::string> asked_order_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_LLM_MUTATOR_H_
