// What a failed LLM call's Status carries besides its code and message, for
// RetryingClient and for the call log: whether trying again may help, the
// HTTP status, the server's Retry-After header and the attempts made. It
// travels as a Status payload, so it survives any layer that keeps payloads
// (RedactStatus does; cambrian::Annotate does not).
#ifndef CAMBRIAN_MUTATORS_LLM_LLM_ERROR_H_
#define CAMBRIAN_MUTATORS_LLM_LLM_ERROR_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"

namespace cambrian::mutators {

struct LlmErrorDetail {
  // True for transient failures: 408, 429, 5xx, transport errors, timeouts.
  bool retryable = false;
  int http_status = 0;      // 0 when no HTTP response arrived
  std::string retry_after;  // the Retry-After header as sent ("" if none)
  int attempts = 0;         // set by RetryingClient; 0 = unknown
  // Usage a failed reply still reported (an empty reply or a refusal is
  // billed): callers settle spending with it.
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
};

// `status` (not OK) with `detail` attached, replacing an earlier one.
absl::Status WithLlmErrorDetail(absl::Status status, const LlmErrorDetail& detail);

// The detail attached to `status`, if any.
std::optional<LlmErrorDetail> GetLlmErrorDetail(const absl::Status& status);

// Whether a failure is worth another attempt: the detail's verdict if there
// is one, else true for Unavailable and DeadlineExceeded.
bool IsRetryable(const absl::Status& status);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_LLM_ERROR_H_
