// Time source behind an interface so tests control it.
#ifndef CAMBRIAN_COMMON_CLOCK_H_
#define CAMBRIAN_COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace cambrian {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (stored in the archive).
  virtual absl::Time Now() const = 0;
};

// The real clock. Thread-safe.
class SystemClock : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace cambrian

#endif  // CAMBRIAN_COMMON_CLOCK_H_
