#include "mutators/llm/circuit_breaker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace cambrian::mutators {
namespace {

std::string ClockTime(absl::Time t) {
  return absl::FormatTime("%H:%M:%S", t, absl::LocalTimeZone());
}

}  // namespace

CircuitBreaker::CircuitBreaker(std::string name, const Clock& clock, CircuitBreakerOptions options)
    : name_(std::move(name)), clock_(clock), options_(options) {}

void CircuitBreaker::Advance() const {
  if (phase_ == Phase::kOpen && clock_.Now() >= open_until_) phase_ = Phase::kHalfOpen;
}

void CircuitBreaker::Open(absl::Duration cool_down) {
  phase_ = Phase::kOpen;
  last_cool_down_ = std::min(cool_down, options_.max_cool_down);
  open_until_ = clock_.Now() + last_cool_down_;
  probe_out_ = false;
}

absl::Status CircuitBreaker::Allow() {
  absl::MutexLock lock(&mutex_);
  Advance();
  switch (phase_) {
    case Phase::kClosed:
      return absl::OkStatus();
    case Phase::kHalfOpen:
      if (!probe_out_) {
        probe_out_ = true;
        return absl::OkStatus();
      }
      return absl::UnavailableError(
          absl::StrCat("circuit half-open for ", name_, ": waiting for a probe call"));
    case Phase::kOpen:
      break;
  }
  return absl::UnavailableError(
      absl::StrCat("circuit open for ", name_, " until ", ClockTime(open_until_)));
}

void CircuitBreaker::RecordSuccess() {
  absl::MutexLock lock(&mutex_);
  // Any answer, even a straggler's while open, shows the provider is back.
  phase_ = Phase::kClosed;
  failures_ = 0;
  probe_out_ = false;
}

void CircuitBreaker::RecordFailure() {
  absl::MutexLock lock(&mutex_);
  Advance();
  switch (phase_) {
    case Phase::kClosed:
      if (++failures_ >= options_.failure_threshold) Open(options_.cool_down);
      return;
    case Phase::kHalfOpen:
      // Only the probe's failure reopens (a straggler from before the
      // opening says nothing new).
      if (probe_out_) Open(last_cool_down_ * 2);
      return;
    case Phase::kOpen:
      return;  // a call that started before the circuit opened
  }
}

bool CircuitBreaker::open() const {
  absl::MutexLock lock(&mutex_);
  Advance();
  return phase_ == Phase::kOpen || (phase_ == Phase::kHalfOpen && probe_out_);
}

std::string CircuitBreaker::State() const {
  absl::MutexLock lock(&mutex_);
  Advance();
  switch (phase_) {
    case Phase::kClosed:
      return "closed";
    case Phase::kHalfOpen:
      return "half-open";
    case Phase::kOpen:
      break;
  }
  return absl::StrCat("open until ", ClockTime(open_until_));
}

}  // namespace cambrian::mutators
