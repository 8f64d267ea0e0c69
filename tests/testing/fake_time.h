// A Clock that moves only when told, and a Sleeper (mutators/llm/
// retrying_client.h) that records each requested wait and moves that clock
// instead of waiting, so retry and circuit-breaker tests take no time.
// Thread-safe. Header-only.
#ifndef CAMBRIAN_TESTS_TESTING_FAKE_TIME_H_
#define CAMBRIAN_TESTS_TESTING_FAKE_TIME_H_

#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "mutators/llm/retrying_client.h"

namespace cambrian::testing {

class ManualClock : public Clock {
 public:
  explicit ManualClock(absl::Time start = absl::FromUnixSeconds(1700000000)) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mutex_);
    return now_;
  }
  void Advance(absl::Duration by) {
    absl::MutexLock lock(&mutex_);
    now_ += by;
  }

 private:
  mutable absl::Mutex mutex_;
  absl::Time now_ ABSL_GUARDED_BY(mutex_);
};

class RecordingSleeper : public mutators::Sleeper {
 public:
  // `clock` (optional) is advanced by every wait.
  explicit RecordingSleeper(ManualClock* clock = nullptr) : clock_(clock) {}
  bool Sleep(absl::Duration duration) override {
    absl::MutexLock lock(&mutex_);
    waits_.push_back(duration);
    if (clock_ != nullptr) clock_->Advance(duration);
    return !interrupted_;
  }
  void Interrupt() {
    absl::MutexLock lock(&mutex_);
    interrupted_ = true;
  }
  std::vector<absl::Duration> waits() const {
    absl::MutexLock lock(&mutex_);
    return waits_;
  }

 private:
  ManualClock* const clock_;
  mutable absl::Mutex mutex_;
  std::vector<absl::Duration> waits_ ABSL_GUARDED_BY(mutex_);
  bool interrupted_ ABSL_GUARDED_BY(mutex_) = false;
};

}  // namespace cambrian::testing

#endif  // CAMBRIAN_TESTS_TESTING_FAKE_TIME_H_
