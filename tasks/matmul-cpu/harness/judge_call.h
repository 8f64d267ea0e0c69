// One checked matmul call from the judge's side: fresh secret inputs staged
// after the meter reading, the call, then the full check of its snapshot.
#ifndef CAMBRIAN_TASKS_MATMUL_CPU_JUDGE_CALL_H_
#define CAMBRIAN_TASKS_MATMUL_CPU_JUDGE_CALL_H_

#include <cstddef>
#include <string>

#include "entropy.h"
#include "judge_session.h"
#include "matmul_verify.h"

namespace matmul_task {

// The `verdict` metric: how the exchange with the worker ended.
enum Verdict {
  kVerdictOk = 0,            // every call answered, every result right
  kVerdictWrong = 1,         // a wrong result, changed inputs, a guard hit, NaN
  kVerdictProtocol = 2,      // a message that broke kernels/PROTOCOL.md
  kVerdictTimeout = 3,       // no answer before the deadline
  kVerdictWorkerGone = 4,    // the worker exited or closed the socket
  kVerdictWorkerFailed = 5,  // the worker sent FAIL
};

// The verdict for a fault of the worker (kJudge is not one).
Verdict VerdictFor(const cambrian::kernels::Fault& fault);

struct CallOutcome {
  size_t index = 0;     // the call's entry in session.timer().calls()
  std::string problem;  // "" when the call answered and its result is right
  Verdict verdict = kVerdictOk;
  double max_error = 0;  // of the result, when it was checked
};

// Runs one n x n call with inputs from `rng` (kept in `*problem` for the
// check). A fault of the worker or a wrong result is a CallOutcome with a
// problem; a fault of the judge itself ends the process through Broken.
CallOutcome RunCall(cambrian::kernels::JudgeSession& session, cambrian::kernels::FastRng& rng,
                    int n, int timeout_ms, Problem* problem);

// Ends a judge that cannot do its job (no socket, no entropy, a broken
// meter, a wrong reference): a message on stderr, no report, exit status 2,
// which the evaluator reports as the judge's own failure.
[[noreturn]] void Broken(const std::string& why);

// Sends BYE and settles the last call's CPU. Only a fault of the judge
// matters here (Broken); a worker that left after its last DONE did no harm.
void FinishSession(cambrian::kernels::JudgeSession& session);

}  // namespace matmul_task

#endif  // CAMBRIAN_TASKS_MATMUL_CPU_JUDGE_CALL_H_
