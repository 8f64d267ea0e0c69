// The charging arithmetic of kernels/PROTOCOL.md, "One call, as the judge
// runs it", apart from any clock or meter so that it can be tested with
// made-up readings. JudgeSession feeds it real ones.
//
// A call's CPU is what the worker's meter gained from the reading taken just
// before the call's inputs were written until the reading taken before the
// next call's inputs are written (or at Settle): the call and its tail, so
// work a worker defers past DONE, or does in helper threads and processes,
// is charged to the call it belongs to. The charge is max(wall, CPU).
#ifndef CAMBRIAN_KERNELS_CALL_TIMER_H_
#define CAMBRIAN_KERNELS_CALL_TIMER_H_

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

namespace cambrian::kernels {

struct CallCharge {
  int64_t wall_ns = 0;    // CALL sent -> DONE received; 0 for a call that never answered
  int64_t cpu_ns = -1;    // worker CPU over the call and its tail; -1 unmetered or unsettled
  bool answered = false;  // DONE arrived
  bool settled = false;   // the tail is closed: cpu_ns (if metered) is final
  int64_t charged_ns() const { return std::max(wall_ns, cpu_ns); }
};

// Not thread-safe. Readings are nanoseconds; `cpu` arguments are nullopt
// for an unmetered judge, and then every call's charge is its wall time.
class CallTimer {
 public:
  // A new call: `cpu` is the meter just before its inputs are written. It
  // closes the previous call's tail. Returns the new call's index.
  size_t Begin(std::optional<int64_t> cpu);
  // CALL is about to be sent at `now` (CLOCK_MONOTONIC).
  void Sent(int64_t now);
  // DONE of the current call arrived at `now`.
  void Answered(int64_t now);
  // Closes the last call's tail with a final meter reading (the end of the
  // session, or before anything else runs on the worker's behalf).
  void Settle(std::optional<int64_t> cpu);

  const std::vector<CallCharge>& calls() const { return calls_; }

 private:
  void CloseTail(std::optional<int64_t> cpu);

  std::vector<CallCharge> calls_;
  int64_t begin_cpu_ = 0;
  int64_t sent_at_ = 0;
};

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_CALL_TIMER_H_
