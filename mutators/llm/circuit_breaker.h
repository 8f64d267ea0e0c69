// A circuit breaker for one LLM provider: after a storm of transient
// failures it stops calls for a cool-down, so an overnight run does not
// hammer a provider that is down (or burn its retries) and the progress line
// can say so. Shared by every client of that provider.
#ifndef CAMBRIAN_MUTATORS_LLM_CIRCUIT_BREAKER_H_
#define CAMBRIAN_MUTATORS_LLM_CIRCUIT_BREAKER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace cambrian::mutators {

struct CircuitBreakerOptions {
  int failure_threshold = 5;  // consecutive transient failures that open it
  absl::Duration cool_down = absl::Seconds(60);
  absl::Duration max_cool_down = absl::Minutes(30);  // the doubling stops here
};

// closed:    calls go ahead; consecutive failures are counted.
// open:      calls fail fast until the cool-down ends.
// half-open: after the cool-down one call (the probe) goes ahead and the
//            others fail fast; its success closes the circuit, its failure
//            opens it again for twice the last cool-down (up to the max).
// Every Allow() that returns OK must be followed by exactly one
// RecordSuccess() or RecordFailure(). Thread-safe; `clock` must outlive it.
class CircuitBreaker {
 public:
  CircuitBreaker(std::string name, const Clock& clock, CircuitBreakerOptions options = {});

  // OK if a call may go ahead, else Unavailable
  // "circuit open for NAME until HH:MM:SS" (local time).
  [[nodiscard]] absl::Status Allow();
  // The provider answered (even with an error that is the request's fault).
  void RecordSuccess();
  // A transient failure: 429, 5xx, a transport error, a timeout.
  void RecordFailure();

  // True while calls fail fast (open, or half-open with the probe out).
  bool open() const;
  // "closed", "open until HH:MM:SS" or "half-open", for the progress line.
  std::string State() const;
  const std::string& name() const { return name_; }

 private:
  enum class Phase { kClosed, kOpen, kHalfOpen };
  void Open(absl::Duration cool_down) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Moves an open circuit whose cool-down has passed to half-open.
  void Advance() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const std::string name_;
  const Clock& clock_;
  const CircuitBreakerOptions options_;
  mutable absl::Mutex mutex_;
  mutable Phase phase_ ABSL_GUARDED_BY(mutex_) = Phase::kClosed;
  int failures_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::Duration last_cool_down_ ABSL_GUARDED_BY(mutex_);
  absl::Time open_until_ ABSL_GUARDED_BY(mutex_);
  bool probe_out_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_CIRCUIT_BREAKER_H_
