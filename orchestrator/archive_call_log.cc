#include "orchestrator/archive_call_log.h"

#include "absl/time/clock.h"

namespace cambrian::orchestrator {

absl::StatusOr<int64_t> ArchiveCallLog::Record(const mutators::LlmCallRecord& record) {
  archive::LlmCall call;
  call.time = clock_.Now();
  call.provider = record.provider;
  call.model = record.model;
  call.prompt_hash = record.prompt_hash;
  call.prompt = record.prompt;
  call.response = record.response;
  call.input_tokens = record.input_tokens;
  call.output_tokens = record.output_tokens;
  call.cost_usd = record.cost_usd;
  call.latency_seconds = record.latency_seconds;
  call.attempts = record.attempts;
  call.outcome = record.outcome;
  call.error = record.error;
  call.parent_id = record.parent_id;
  return archive_.AddLlmCall(call);
}

absl::StatusOr<std::optional<std::string>> ArchiveCallLog::CachedResponse(
    const std::string& model, const std::string& prompt_hash) {
  return archive_.FindLlmResponse(model, prompt_hash);
}

}  // namespace cambrian::orchestrator
