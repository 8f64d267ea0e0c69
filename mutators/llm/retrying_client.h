// A decorator over any LlmClient that retries transient failures with
// jittered exponential backoff, honours Retry-After, and guards the
// provider with a shared CircuitBreaker.
#ifndef CAMBRIAN_MUTATORS_LLM_RETRYING_CLIENT_H_
#define CAMBRIAN_MUTATORS_LLM_RETRYING_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/rng.h"
#include "mutators/llm/circuit_breaker.h"
#include "mutators/llm/llm_client.h"

namespace cambrian::mutators {

// Waits between attempts; tests substitute one that only records.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  // Waits `duration`. False if woken early because the run is stopping.
  virtual bool Sleep(absl::Duration duration) = 0;
};

// Really waits. Interrupt() wakes every sleeper, now and later, so a stop
// request does not wait out a minute of backoff. Thread-safe.
class RealSleeper final : public Sleeper {
 public:
  bool Sleep(absl::Duration duration) override;
  void Interrupt();

 private:
  absl::Mutex mutex_;
  bool interrupted_ ABSL_GUARDED_BY(mutex_) = false;
};

struct RetryOptions {
  int max_retries = 5;  // so at most 6 attempts
  // Full jitter: before retry n (1-based) wait uniformly in
  // [0, min(max_backoff, base_backoff * factor^(n-1))), and at least the
  // server's Retry-After.
  absl::Duration base_backoff = absl::Seconds(1);
  double backoff_factor = 2;
  absl::Duration max_backoff = absl::Seconds(60);
  // A Retry-After longer than this ends the retries instead of waiting.
  absl::Duration max_retry_after = absl::Minutes(5);
  uint64_t jitter_seed = 0;
  std::function<double()> jitter;  // uniform in [0, 1); default: an Rng(jitter_seed)
};

// Complete() calls the inner client until it succeeds, fails with an error
// that is not retryable (IsRetryable in mutators/llm/llm_error.h: 429, 5xx,
// 408, transport errors and timeouts are; other 4xx, malformed, empty and
// refused replies are not), or max_retries retries are spent. Before each
// attempt it asks the breaker: if the circuit is open, Complete fails fast
// with Unavailable "circuit open for PROVIDER until HH:MM:SS" (or, after
// earlier attempts, with the last error, noting the open circuit).
// Transient failures count against the breaker; any other outcome resets it.
// A success reports attempts (all HTTP attempts) and latency (from the first
// attempt, by `clock`); a failure is the last attempt's error, its message
// ending "(N attempts)" and its LlmErrorDetail.attempts set.
// Thread-safe; clock and sleeper must outlive the client.
class RetryingClient final : public LlmClient {
 public:
  RetryingClient(std::unique_ptr<LlmClient> inner, std::shared_ptr<CircuitBreaker> breaker,
                 const Clock& clock, Sleeper& sleeper, RetryOptions options = {});

  [[nodiscard]] absl::StatusOr<LlmResponse> Complete(const LlmRequest& request) override;

  bool circuit_open() const { return breaker_->open(); }
  std::string circuit_state() const { return breaker_->State(); }

 private:
  // How long to wait before retry `retry` (1-based) after `error`; nullopt
  // if the server asks for a longer wait than max_retry_after.
  std::optional<absl::Duration> Backoff(int retry, const absl::Status& error);
  double Jitter();

  const std::unique_ptr<LlmClient> inner_;
  const std::shared_ptr<CircuitBreaker> breaker_;
  const Clock& clock_;
  Sleeper& sleeper_;
  const RetryOptions options_;
  absl::Mutex rng_mutex_;
  Rng rng_ ABSL_GUARDED_BY(rng_mutex_);
};

// A Retry-After value (delay-seconds or an HTTP date) as a wait from `now`,
// never negative; nullopt if it is neither.
std::optional<absl::Duration> ParseRetryAfter(std::string_view value, absl::Time now);

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_RETRYING_CLIENT_H_
