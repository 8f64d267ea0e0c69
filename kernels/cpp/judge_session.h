// The judge's end of a judged stage (kernels/PROTOCOL.md): waits for HELLO,
// shares the sealed buffers, runs calls with the steps of "One call, as the
// judge runs it" (meter, inputs and poison through CallSpec::prepare, a check
// that nothing was sent ahead, clock, CALL, DONE, snapshot), and says BYE. Verification is the
// task's own code, run on the snapshot each call returns.
//
// Usage:
//   std::string error;
//   auto session = JudgeSession::FromEnv(&error);      // nullptr: judge broken
//   Declarations hello;
//   if (auto f = session->AwaitHello(10000, &hello)) ... report *f
//   if (auto f = session->ShareMemory(in_bytes, out_bytes)) ...
//   CallResult r = session->Call(spec);                // r.fault, r.snapshot
//   session->Finish();                                 // settles the last tail
//   session->timer().calls()[r.index].charged_ns()     // final after Finish
//
// The first fault ends the session: every later step returns it again
// without touching the socket. Not thread-safe.
#ifndef CAMBRIAN_KERNELS_JUDGE_SESSION_H_
#define CAMBRIAN_KERNELS_JUDGE_SESSION_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "call_timer.h"
#include "cpu_meter.h"
#include "declarations.h"
#include "fault.h"
#include "shared_buffer.h"
#include "wire.h"

namespace cambrian::kernels {

struct CallSpec {
  CallArgs args;
  int timeout_ms = 10000;  // from CALL sent to DONE received
  // Steps 1-2: writes the call's inputs into `input` and poisons the part of
  // `output` it will read. Runs after the CPU meter reading that opens the
  // call (so worker CPU spent on these inputs before CALL is this call's)
  // and before the clock starts.
  std::function<void(std::span<std::byte> input, std::span<std::byte> output)> prepare;
  // Step 5: the part of the output copied out right after DONE.
  size_t snapshot_offset = 0;
  size_t snapshot_bytes = 0;
};

struct CallResult {
  std::optional<Fault> fault;  // set: the call failed and the session is over
  size_t index = 0;            // this call's entry in timer().calls()
  // The output area as it was when DONE arrived; valid until the next Call.
  std::span<const std::byte> snapshot;
  Declarations declared;  // from DONE
};

class JudgeSession {
 public:
  // `meter` may be null (no cgroup: wall time only).
  JudgeSession(UniqueFd socket, std::unique_ptr<CpuMeter> meter);

  // From CAMBRIAN_WORKER_FD and CAMBRIAN_WORKER_CPU_FD/_FORMAT. nullptr and
  // `*error` when the socket variable is missing or invalid, or a meter is
  // named but unusable.
  static std::unique_ptr<JudgeSession> FromEnv(std::string* error);

  // Waits for HELLO. A FAIL is kWorkerFailed (its text quoted, bounded).
  [[nodiscard]] std::optional<Fault> AwaitHello(int timeout_ms, Declarations* declared);
  // Creates both buffers (input read-only to the worker), sends MEMORY and
  // closes the judge's copies of the descriptors.
  [[nodiscard]] std::optional<Fault> ShareMemory(size_t input_bytes, size_t output_bytes);
  // The judge's writable views; empty before ShareMemory.
  std::span<std::byte> input() const;
  std::span<std::byte> output() const;

  // One call. Anything the worker sent unasked before CALL is a kProtocol
  // fault (a FAIL a kWorkerFailed one, end of file kWorkerGone).
  // A snapshot range outside the output buffer is a kJudge fault.
  CallResult Call(const CallSpec& spec);

  // Closes the last call's tail (a meter reading) and sends BYE. Call it
  // once, after the last call or a fault; charges are final afterwards.
  [[nodiscard]] std::optional<Fault> Finish();

  bool metered() const { return meter_ != nullptr; }
  const CallTimer& timer() const { return timer_; }
  // The fault that ended the session, if any.
  const std::optional<Fault>& fault() const { return fault_; }

 private:
  std::optional<Fault> Fail(Fault fault);
  std::optional<Fault> ReadMeter(std::optional<int64_t>* cpu);
  std::optional<Fault> CheckCallable(const CallSpec& spec);
  std::optional<Fault> CheckNothingPending();
  std::optional<Fault> AwaitDone(uint64_t seq, int timeout_ms, Declarations* declared);

  Channel channel_;
  std::unique_ptr<CpuMeter> meter_;
  CallTimer timer_;
  std::optional<SharedBuffer> input_, output_;
  std::vector<std::byte> snapshot_;  // sized (and its pages touched) by ShareMemory
  std::optional<Fault> fault_;
  uint64_t next_seq_ = 1;
  bool hello_ = false, finished_ = false;
};

// FAIL text as quoted in a fault: printable ASCII, at most 200 characters.
std::string QuoteWorkerText(std::string_view text);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_JUDGE_SESSION_H_
