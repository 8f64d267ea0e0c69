#include "mutators/llm/llm_error.h"

#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace cambrian::mutators {
namespace {

constexpr char kDetailUrl[] = "type.cambrian.dev/cambrian.mutators.LlmErrorDetail";

}  // namespace

// Encoded as "retryable\nhttp_status\nattempts\ninput\noutput\nretry_after":
// the header value comes last, so even a value with odd characters
// round-trips.
absl::Status WithLlmErrorDetail(absl::Status status, const LlmErrorDetail& detail) {
  if (status.ok()) return status;
  status.SetPayload(
      kDetailUrl, absl::Cord(absl::StrCat(detail.retryable ? 1 : 0, "\n", detail.http_status, "\n",
                                          detail.attempts, "\n", detail.input_tokens, "\n",
                                          detail.output_tokens, "\n", detail.retry_after)));
  return status;
}

std::optional<LlmErrorDetail> GetLlmErrorDetail(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kDetailUrl);
  if (!payload.has_value()) return std::nullopt;
  std::vector<std::string> fields = absl::StrSplit(std::string(*payload), absl::MaxSplits('\n', 5));
  LlmErrorDetail detail;
  int retryable = 0;
  if (fields.size() != 6 || !absl::SimpleAtoi(fields[0], &retryable) ||
      !absl::SimpleAtoi(fields[1], &detail.http_status) ||
      !absl::SimpleAtoi(fields[2], &detail.attempts) ||
      !absl::SimpleAtoi(fields[3], &detail.input_tokens) ||
      !absl::SimpleAtoi(fields[4], &detail.output_tokens)) {
    return std::nullopt;
  }
  detail.retryable = retryable != 0;
  detail.retry_after = fields[5];
  return detail;
}

bool IsRetryable(const absl::Status& status) {
  if (status.ok()) return false;
  if (std::optional<LlmErrorDetail> detail = GetLlmErrorDetail(status)) return detail->retryable;
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

}  // namespace cambrian::mutators
