// Running LLM spend (tokens, dollars) against hard caps. A call reserves its
// worst case (its prompt's tokens plus max_tokens of output, priced) before it
// is sent, so requests in flight count and the cap is never crossed; the
// reservation is settled with the real usage when the answer arrives.
#ifndef CAMBRIAN_MUTATORS_LLM_SPEND_METER_H_
#define CAMBRIAN_MUTATORS_LLM_SPEND_METER_H_

#include <cstdint>
#include <map>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace cambrian::mutators {

struct Spend {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  double cost_usd = 0;
  int64_t calls = 0;
};

struct SpendCaps {
  std::optional<double> max_cost_usd;  // --max-cost
  std::optional<int64_t> max_tokens;   // --max-tokens (input + output)
};

class SpendMeter {
 public:
  // `already` is what earlier sessions of the run spent (resume).
  explicit SpendMeter(SpendCaps caps, Spend already = {});

  // Reserves a call's worst case. ResourceExhausted (naming the cap) if
  // settled spend plus every open reservation plus this one would cross a
  // cap. Returns a ticket for Settle/Cancel.
  [[nodiscard]] absl::StatusOr<int64_t> Reserve(int64_t tokens, double cost_usd);
  // Replaces the reservation by what the call really used.
  void Settle(int64_t ticket, const Spend& used);
  // Drops a reservation (the call was never made, or used nothing billable).
  void Cancel(int64_t ticket);

  Spend settled() const;
  // True once no further call of `tokens`/`cost_usd` could fit.
  bool Exhausted(int64_t tokens, double cost_usd) const;

 private:
  struct Reservation {
    int64_t tokens;
    double cost_usd;
  };
  bool Fits(int64_t tokens, double cost_usd) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const SpendCaps caps_;
  mutable absl::Mutex mutex_;
  Spend settled_ ABSL_GUARDED_BY(mutex_);
  int64_t next_ticket_ ABSL_GUARDED_BY(mutex_) = 1;
  std::map<int64_t, Reservation> open_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_SPEND_METER_H_
