#include "mutators/llm/retrying_client.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/absl_compat.h"
#include "mutators/llm/llm_error.h"

namespace cambrian::mutators {
namespace {

// `status` with `note` and the attempt count appended to its message and the
// attempts recorded in its LlmErrorDetail; code and other payloads kept.
absl::Status Conclude(const absl::Status& status, int attempts, const std::string& note) {
  const std::string count =
      attempts == 0 ? "" : absl::StrCat(" (", attempts, attempts == 1 ? " attempt)" : " attempts)");
  absl::Status out(status.code(), absl::StrCat(status.message(), note, count));
  status.ForEachPayload(
      [&out](absl::string_view url, const absl::Cord& payload) { out.SetPayload(url, payload); });
  LlmErrorDetail detail = GetLlmErrorDetail(status).value_or(LlmErrorDetail{});
  if (!GetLlmErrorDetail(status).has_value()) detail.retryable = IsRetryable(status);
  detail.attempts = attempts;
  return WithLlmErrorDetail(std::move(out), detail);
}

}  // namespace

bool RealSleeper::Sleep(absl::Duration duration) {
  absl::MutexLock lock(&mutex_);
  const absl::Time deadline = absl::Now() + duration;
  mutex_.AwaitWithDeadline(absl::Condition(&interrupted_), deadline);  // early only on Interrupt
  return !interrupted_;
}

void RealSleeper::Interrupt() {
  absl::MutexLock lock(&mutex_);
  interrupted_ = true;
}

RetryingClient::RetryingClient(std::unique_ptr<LlmClient> inner,
                               std::shared_ptr<CircuitBreaker> breaker, const Clock& clock,
                               Sleeper& sleeper, RetryOptions options)
    : inner_(std::move(inner)),
      breaker_(std::move(breaker)),
      clock_(clock),
      sleeper_(sleeper),
      options_(std::move(options)),
      rng_(options_.jitter_seed) {}

double RetryingClient::Jitter() {
  if (options_.jitter) return options_.jitter();
  absl::MutexLock lock(&rng_mutex_);
  return rng_.Uniform();
}

std::optional<absl::Duration> RetryingClient::Backoff(int retry, const absl::Status& error) {
  const double ceiling =
      std::min(absl::ToDoubleSeconds(options_.max_backoff),
               absl::ToDoubleSeconds(options_.base_backoff) *
                   std::pow(options_.backoff_factor, static_cast<double>(retry - 1)));
  absl::Duration wait = absl::Seconds(Jitter() * ceiling);
  std::optional<LlmErrorDetail> detail = GetLlmErrorDetail(error);
  if (detail.has_value() && !detail->retry_after.empty()) {
    if (std::optional<absl::Duration> asked = ParseRetryAfter(detail->retry_after, clock_.Now())) {
      if (*asked > options_.max_retry_after) return std::nullopt;
      wait = std::max(wait, *asked);
    }
  }
  return wait;
}

absl::StatusOr<LlmResponse> RetryingClient::Complete(const LlmRequest& request) {
  const absl::Time start = clock_.Now();
  absl::Status last;
  int attempts = 0;
  std::string note;
  while (true) {
    if (absl::Status allowed = breaker_->Allow(); !allowed.ok()) {
      if (attempts == 0) return Conclude(allowed, 0, "");
      note = absl::StrCat("; then ", allowed.message());
      break;
    }
    ++attempts;
    absl::StatusOr<LlmResponse> reply = inner_->Complete(request);
    const bool transient = !reply.ok() && IsRetryable(reply.status());
    transient ? breaker_->RecordFailure() : breaker_->RecordSuccess();
    if (reply.ok()) {
      reply->attempts = attempts;
      reply->latency = clock_.Now() - start;
      return reply;
    }
    last = reply.status();
    if (!transient || attempts > options_.max_retries) break;
    std::optional<absl::Duration> wait = Backoff(attempts, last);
    if (!wait.has_value()) {
      note = "; Retry-After is beyond the retry limit";
      break;
    }
    if (!sleeper_.Sleep(*wait)) {
      note = "; retries abandoned: stopping";
      break;
    }
  }
  return Conclude(last, attempts, note);
}

std::optional<absl::Duration> ParseRetryAfter(std::string_view value, absl::Time now) {
  const absl::string_view text = absl::StripAsciiWhitespace(Sv(value));
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (!std::isfinite(seconds) || seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  // IMF-fixdate, then the obsolete RFC 850 form (RFC 9110 section 5.6.7).
  for (const char* format : {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT"}) {
    absl::Time when;
    std::string error;
    if (absl::ParseTime(format, text, absl::UTCTimeZone(), &when, &error)) {
      return std::max(absl::ZeroDuration(), when - now);
    }
  }
  return std::nullopt;
}

}  // namespace cambrian::mutators
