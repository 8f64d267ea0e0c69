// Running LLM spend (tokens, dollars) against hard caps. A call reserves its
// worst case (its prompt's tokens plus max_tokens of output, priced) before it
// is sent, so requests in flight count and the cap is never crossed; the
// reservation is settled with the real usage when the answer arrives.
#ifndef CAMBRIAN_MUTATORS_LLM_SPEND_METER_H_
#define CAMBRIAN_MUTATORS_LLM_SPEND_METER_H_

#include <cstdint>
#include <map>
#include <optional>

#include "absl/base/thread_annotations.h"
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

// Thread-safe: proposal threads reserve and settle concurrently. Amounts
// are compared with a tolerance of 1e-9 dollars, so summing prices in
// floating point cannot refuse a call that fits exactly.
class SpendMeter {
 public:
  // `already` is what earlier sessions of the run spent (resume); it counts
  // against the caps like anything spent now.
  explicit SpendMeter(SpendCaps caps, Spend already = {});

  // Reserves a call's worst case. ResourceExhausted (naming the cap, what is
  // spent, what is reserved by how many calls in flight, and this call's
  // worst case) if settled spend plus every open reservation plus this one
  // would cross a cap. InvalidArgument for a negative or non-finite amount.
  // Returns a ticket for Settle/Cancel.
  [[nodiscard]] absl::StatusOr<int64_t> Reserve(int64_t tokens, double cost_usd);
  // Replaces the reservation by what the call really used and counts one
  // call (used.calls is ignored). The usage is counted even for a ticket that
  // is no longer open: money spent is never forgotten.
  void Settle(int64_t ticket, const Spend& used);
  // Drops a reservation (the call was never made, or used nothing
  // billable). Unknown tickets are ignored.
  void Cancel(int64_t ticket);

  Spend settled() const;
  // The open reservations: their tokens (in input_tokens), their cost, and
  // how many (in calls).
  Spend reserved() const;
  const SpendCaps& caps() const { return caps_; }
  // True once no further call of `tokens`/`cost_usd` could fit even after
  // every call in flight settled at nothing: the budget is spent for good.
  // (Reserve can fail while this is false; then waiting for calls in flight
  // may free headroom.)
  bool Exhausted(int64_t tokens, double cost_usd) const;

 private:
  struct Reservation {
    int64_t tokens;
    double cost_usd;
  };
  // Reserved totals over open_.
  Reservation OpenTotal() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  const SpendCaps caps_;
  mutable absl::Mutex mutex_;
  Spend settled_ ABSL_GUARDED_BY(mutex_);
  int64_t next_ticket_ ABSL_GUARDED_BY(mutex_) = 1;
  std::map<int64_t, Reservation> open_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace cambrian::mutators

#endif  // CAMBRIAN_MUTATORS_LLM_SPEND_METER_H_
