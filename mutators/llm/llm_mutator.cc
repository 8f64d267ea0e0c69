#include "mutators/llm/llm_mutator.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/status_macros.h"
#include "mutators/llm/edit_format_internal.h"
#include "mutators/llm/edit_grammar.h"
#include "mutators/llm/llm_error.h"
#include "mutators/llm/prompt_hash.h"

namespace cambrian::mutators {

struct LlmMutator::Call {
  size_t arm = 0;  // the model's index in the ensemble
  const ModelConfig* model = nullptr;
  int max_tokens = 0;  // the model's, or sized to the edit
  LlmClient* client = nullptr;
  PromptChoice choice;
  LlmRequest request;
  std::string parent_hash;
  std::string finish_reason;
  LlmCallRecord record;
};

namespace {

constexpr size_t kMemory = 1024;          // parents whose last rejection is kept
constexpr size_t kAskedMemory = 1 << 16;  // (model, prompt) pairs remembered

double Price(const ModelConfig& model, int64_t input_tokens, int64_t output_tokens) {
  return (static_cast<double>(input_tokens) * model.usd_per_million_input +
          static_cast<double>(output_tokens) * model.usd_per_million_output) /
         1e6;
}

// An index drawn with probability proportional to its weight (some > 0).
size_t DrawWeighted(const std::vector<double>& weights, Rng* rng) {
  double total = 0;
  for (double w : weights) total += w;
  double u = rng->Uniform() * total;
  size_t last = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0) continue;
    last = i;
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return last;
}

// The call log's outcome for a client error (codes as in llm_client.h).
std::string FailureOutcome(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return "timeout";
    case absl::StatusCode::kCancelled:
      return "cancelled";
    case absl::StatusCode::kDataLoss:
      return "malformed";
    case absl::StatusCode::kFailedPrecondition:
      return absl::StrContains(absl::AsciiStrToLower(status.message()), "refus") ? "refused"
                                                                                 : "empty";
    default:
      return "http_error";
  }
}

std::string ModeName(const PromptChoice& choice) {
  return choice.repair ? "repair" : EditModeName(choice.mode);
}

bool Truncated(const std::string& finish_reason) {
  return finish_reason == "length" || finish_reason == "max_tokens";
}

LlmRequest MakeRequest(const ModelConfig& model, const BuiltPrompt& prompt, int max_tokens) {
  LlmRequest request;
  request.model = model.model;
  request.system = prompt.system;
  request.messages.push_back({"user", prompt.user});
  request.temperature = model.temperature;
  request.max_tokens = max_tokens;
  request.stop = model.stop;
  return request;
}

// The call's record before anything is known about its answer.
LlmCallRecord StartRecord(const ModelConfig& model, const LlmRequest& request,
                          const ScoredProgram& parent) {
  LlmCallRecord record;
  record.provider = ProviderName(model.provider);
  record.model = model.model;
  record.prompt_hash = PromptHash(request);
  record.prompt = PromptText(request);
  if (parent.id > 0) record.parent_id = parent.id;
  return record;
}

// Reserves a call's worst case with the meter. A refusal is ResourceExhausted
// (recorded "budget") when the caps are spent for good, Aborted when calls in
// flight hold the headroom (one may settle below its worst case).
absl::StatusOr<int64_t> ReserveWorstCase(SpendMeter& meter, LlmCallLog& log,
                                         const ModelConfig& model, int max_tokens,
                                         int64_t input_estimate, LlmCallRecord& record) {
  int64_t worst_tokens = input_estimate + max_tokens;
  double worst_cost = Price(model, input_estimate, max_tokens);
  absl::StatusOr<int64_t> ticket = meter.Reserve(worst_tokens, worst_cost);
  if (ticket.ok() || !absl::IsResourceExhausted(ticket.status())) return ticket;
  std::string why(Std(ticket.status().message()));
  if (!meter.Exhausted(worst_tokens, worst_cost)) {
    return absl::AbortedError(absl::StrCat("LLM spend held by calls in flight: ", why));
  }
  record.outcome = "budget";
  record.error = why;
  CAMBRIAN_RETURN_IF_ERROR(log.Record(record).status());
  return absl::ResourceExhaustedError(why);
}

// Records a failed client call: FailedPrecondition naming a refusal or an
// empty reply, Unavailable naming a service failure (timeout, HTTP error,
// malformed reply), Cancelled when the run is stopping (or the log's error).
absl::Status RecordClientFailure(LlmCallLog& log, const absl::Status& error, absl::Duration latency,
                                 LlmCallRecord& record) {
  std::optional<LlmErrorDetail> detail = GetLlmErrorDetail(error);
  record.attempts = detail && detail->attempts > 0 ? detail->attempts : 1;
  record.latency_seconds = std::max(0.0, absl::ToDoubleSeconds(latency));
  record.outcome = FailureOutcome(error);
  record.error = std::string(Std(error.message()));
  CAMBRIAN_RETURN_IF_ERROR(log.Record(record).status());
  std::string why =
      absl::StrCat(record.model, " call failed (", record.outcome, "): ", record.error);
  if (absl::IsCancelled(error)) return absl::CancelledError(why);  // the run is stopping
  // A refusal or an empty reply is the model's answer; the rest is the service failing.
  if (record.outcome == "refused" || record.outcome == "empty") {
    return absl::FailedPreconditionError(why);
  }
  return absl::UnavailableError(why);
}

}  // namespace

LlmMutator::LlmMutator(std::vector<ModelConfig> ensemble, std::vector<LlmClient*> clients,
                       const PromptSet& prompts, LlmCallLog* log, SpendMeter* meter, ModeMix mix,
                       const Clock* clock)
    : ensemble_(std::move(ensemble)),
      clients_(std::move(clients)),
      prompts_(prompts),
      log_(log),
      meter_(meter),
      mix_(mix),
      clock_(clock != nullptr ? clock : &system_clock_) {}

absl::StatusOr<std::unique_ptr<LlmMutator>> LlmMutator::Create(std::vector<ModelConfig> ensemble,
                                                               std::vector<LlmClient*> clients,
                                                               const PromptSet& prompts,
                                                               LlmCallLog* log, SpendMeter* meter,
                                                               ModeMix mix, const Clock* clock) {
  auto mutator = std::make_unique<LlmMutator>(std::move(ensemble), std::move(clients), prompts, log,
                                              meter, mix, clock);
  CAMBRIAN_RETURN_IF_ERROR(mutator->Validate());
  return mutator;
}

absl::Status LlmMutator::Validate() const {
  if (ensemble_.empty()) return absl::InvalidArgumentError("the LLM ensemble has no model");
  if (clients_.size() != ensemble_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("the LLM ensemble has ", ensemble_.size(),
                                                   " models but ", clients_.size(), " clients"));
  }
  if (log_ == nullptr || meter_ == nullptr) {
    return absl::InvalidArgumentError("the LLM mutator needs a call log and a spend meter");
  }
  double total = 0;
  for (size_t i = 0; i < ensemble_.size(); ++i) {
    if (clients_[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("no client for model ", ensemble_[i].model));
    }
    if (!(ensemble_[i].weight >= 0) || !std::isfinite(ensemble_[i].weight)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model ", ensemble_[i].model, " has an invalid weight ", ensemble_[i].weight));
    }
    if (ensemble_[i].grammar == GrammarUse::kOn && ensemble_[i].provider != Provider::kOpenAi) {
      return absl::InvalidArgumentError(absl::StrCat(
          "model ", ensemble_[i].model,
          ": grammar = on needs an OpenAI-compatible server that takes GBNF (llama.cpp)"));
    }
    total += ensemble_[i].weight;
  }
  if (total <= 0) return absl::InvalidArgumentError("every model of the LLM ensemble has weight 0");
  if (!(mix_.diff >= 0) || !(mix_.rewrite >= 0) || !std::isfinite(mix_.diff + mix_.rewrite) ||
      mix_.diff + mix_.rewrite <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid LLM mode mix: diff ", mix_.diff, ", rewrite ", mix_.rewrite));
  }
  return absl::OkStatus();
}

absl::StatusOr<Proposal> LlmMutator::Propose(const MutationContext& context) {
  if (context.parent == nullptr || context.rng == nullptr) {
    return absl::InvalidArgumentError("the LLM mutator needs a parent and an rng");
  }
  CAMBRIAN_RETURN_IF_ERROR(Validate());
  Call call;
  const size_t pick = PickModel(*context.rng);
  call.arm = pick;
  call.model = &ensemble_[pick];
  call.client = clients_[pick];
  call.choice.mode = DrawWeighted({mix_.diff, mix_.rewrite}, context.rng) == 0 ? EditMode::kDiff
                                                                               : EditMode::kRewrite;
  // Under a grammar the reply is one SEARCH/REPLACE block (edit_grammar.h).
  const bool constrained = call.model->grammar == GrammarUse::kOn;
  if (constrained) call.choice.mode = EditMode::kDiff;
  call.choice.repair = ParentFailed(context.parent_info);
  call.parent_hash = ProgramHash(*context.parent);
  const std::string rejection = PreviousRejection(*context.parent);
  call.max_tokens = call.model->max_tokens > 0 ? call.model->max_tokens
                                               : ReplyTokens(*context.parent, context.editable);
  CAMBRIAN_ASSIGN_OR_RETURN(
      BuiltPrompt prompt,
      BuildCappedPrompt(prompts_, context, call.choice, rejection, *call.model, call.max_tokens));
  call.request = MakeRequest(*call.model, prompt, call.max_tokens);
  if (constrained) {
    call.request.grammar = DiffGrammar(*context.parent, context.editable).value_or("");
  }
  call.record = StartRecord(*call.model, call.request, context.parent_info);
  LlmCallRecord& record = call.record;
  if (FirstAsk(absl::StrCat(record.model, "\n", record.prompt_hash))) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::optional<std::string> cached,
                              log_->CachedResponse(record.model, record.prompt_hash));
    if (cached.has_value()) {
      record.outcome = "cached";
      record.response = *std::move(cached);
      return Finish(call, context);
    }
  }
  return AskModel(call, context);
}

absl::StatusOr<Proposal> LlmMutator::AskModel(Call& call, const MutationContext& context) {
  const ModelConfig& model = *call.model;
  LlmCallRecord& record = call.record;
  int64_t input_estimate = PromptTokenBound(call.request);
  CAMBRIAN_ASSIGN_OR_RETURN(int64_t ticket, ReserveWorstCase(*meter_, *log_, model, call.max_tokens,
                                                             input_estimate, record));
  absl::Time start = clock_->Now();
  absl::StatusOr<LlmResponse> response = call.client->Complete(call.request);
  if (!response.ok()) {
    meter_->Settle(ticket, Spend{});  // a request went out; no usage is known
    NoteCall(call.arm, 0);
    return RecordClientFailure(*log_, response.status(), clock_->Now() - start, record);
  }
  record.input_tokens = response->input_tokens;
  record.output_tokens = response->output_tokens;
  if (record.input_tokens == 0 && record.output_tokens == 0 && !response->text.empty()) {
    // The server reported no usage: count the bounds so the caps still hold.
    record.input_tokens = input_estimate;
    record.output_tokens =
        std::min<int64_t>(TokenBound(response->text.size()), std::max(1, call.max_tokens));
  }
  record.cost_usd = Price(model, record.input_tokens, record.output_tokens);
  meter_->Settle(ticket, Spend{record.input_tokens, record.output_tokens, record.cost_usd, 1});
  NoteCall(call.arm, record.cost_usd);
  record.attempts = response->attempts;
  record.latency_seconds = std::max(0.0, absl::ToDoubleSeconds(response->latency));
  record.response = response->text;
  call.finish_reason = response->finish_reason;
  if (internal::IsBlank(record.response)) {
    record.outcome = "empty";
    record.error = "the model returned an empty reply";
    CAMBRIAN_RETURN_IF_ERROR(log_->Record(record).status());
    return absl::FailedPreconditionError(absl::StrCat(model.model, ": ", record.error));
  }
  return Finish(call, context);
}

absl::StatusOr<Proposal> LlmMutator::Finish(Call& call, const MutationContext& context) {
  LlmCallRecord& record = call.record;
  bool cached = record.outcome == "cached";
  absl::StatusOr<EditResult> edit =
      ApplyEdits(call.choice.mode, record.response, *context.parent, context.editable);
  if (!edit.ok()) {
    std::string reason(Std(edit.status().message()));
    if (Truncated(call.finish_reason)) {
      absl::StrAppend(&reason, " (the reply was cut off at max_tokens; answer more briefly)");
    }
    if (!cached) record.outcome = "rejected";
    record.error = reason;
    CAMBRIAN_RETURN_IF_ERROR(log_->Record(record).status());
    // Only a reply's own fault is worth telling the model about; a broken
    // parent (InvalidArgument) is the harness's problem.
    if (!absl::IsFailedPrecondition(edit.status())) return edit.status();
    RememberRejection(call.parent_hash, reason);
    return absl::FailedPreconditionError(
        absl::StrCat(record.model, " ", ModeName(call.choice), " rejected: ", reason));
  }
  if (!cached) record.outcome = "ok";
  CAMBRIAN_ASSIGN_OR_RETURN(int64_t id, log_->Record(record));
  RememberRejection(call.parent_hash, "");
  Proposal proposal;
  proposal.program = std::move(edit->program);
  proposal.mutator = std::string(name());
  proposal.description =
      absl::StrCat(record.model, " ", ModeName(call.choice), ": ", edit->summary);
  proposal.llm_call_id = id;
  proposal.arm = std::to_string(call.arm);
  return proposal;
}

void LlmMutator::EnableModelBandit() {
  std::vector<double> weights;
  for (const ModelConfig& model : ensemble_) weights.push_back(model.weight);
  absl::MutexLock lock(&mutex_);
  bandit_.emplace(weights);
}

size_t LlmMutator::PickModel(Rng& rng) {
  absl::MutexLock lock(&mutex_);
  if (bandit_) return bandit_->Pick(rng);
  std::vector<double> weights;
  for (const ModelConfig& model : ensemble_) weights.push_back(model.weight);
  return DrawWeighted(weights, &rng);
}

void LlmMutator::NoteCall(size_t arm, double cost_usd) {
  absl::MutexLock lock(&mutex_);
  if (bandit_) bandit_->Called(arm, cost_usd);
}

void LlmMutator::Observe(const std::string& arm, bool improved) {
  size_t index = 0;
  if (!improved || !absl::SimpleAtoi(arm, &index)) return;
  absl::MutexLock lock(&mutex_);
  if (bandit_) bandit_->Improved(index);
}

std::vector<ModelBandit::Arm> LlmMutator::ModelStats() const {
  absl::MutexLock lock(&mutex_);
  return bandit_ ? bandit_->arms() : std::vector<ModelBandit::Arm>{};
}

std::string LlmMutator::PreviousRejection(const Program& parent) const {
  std::string hash = ProgramHash(parent);
  absl::MutexLock lock(&mutex_);
  auto it = rejections_.find(hash);
  return it == rejections_.end() ? "" : it->second;
}

void LlmMutator::RememberRejection(const std::string& parent_hash, const std::string& reason) {
  absl::MutexLock lock(&mutex_);
  if (reason.empty()) {
    if (rejections_.erase(parent_hash) > 0) {
      rejection_order_.erase(
          std::find(rejection_order_.begin(), rejection_order_.end(), parent_hash));
    }
    return;
  }
  if (rejections_.insert_or_assign(parent_hash, reason).second) {
    rejection_order_.push_back(parent_hash);
  }
  while (rejection_order_.size() > kMemory) {
    rejections_.erase(rejection_order_.front());
    rejection_order_.pop_front();
  }
}

bool LlmMutator::FirstAsk(const std::string& key) {
  absl::MutexLock lock(&mutex_);
  if (!asked_.insert(key).second) return false;
  asked_order_.push_back(key);
  if (asked_order_.size() > kAskedMemory) {
    asked_.erase(asked_order_.front());
    asked_order_.pop_front();
  }
  return true;
}

}  // namespace cambrian::mutators
