#include "judge_call.h"

#include <unistd.h>

#include <cstdio>

#include "matmul_call.h"

namespace matmul_task {

using cambrian::kernels::CallResult;
using cambrian::kernels::CallSpec;
using cambrian::kernels::FaultKind;

CallOutcome RunCall(cambrian::kernels::JudgeSession& session, cambrian::kernels::FastRng& rng,
                    int n, int timeout_ms, Problem* problem) {
  const Layout layout = Layout::For(n);
  CallSpec spec;
  spec.args.op = kOpMatmul;
  spec.args.arg[kArgN] = static_cast<uint64_t>(n);
  spec.args.arg[kArgA] = layout.a_offset;
  spec.args.arg[kArgB] = layout.b_offset;
  spec.args.arg[kArgC] = layout.c_offset;
  spec.timeout_ms = timeout_ms;
  spec.snapshot_bytes = layout.region_bytes;
  spec.prepare = [&](std::span<std::byte> input, std::span<std::byte> output) {
    MakeProblem(rng, n, problem);
    Stage(*problem, layout, input, output);
  };
  const CallResult result = session.Call(spec);
  CallOutcome outcome;
  outcome.index = result.index;
  if (result.fault) {
    if (result.fault->kind == FaultKind::kJudge) Broken(result.fault->reason);
    outcome.problem = Describe(*result.fault);
    outcome.verdict = VerdictFor(*result.fault);
    return outcome;
  }
  outcome.problem =
      CheckCall(*problem, layout, session.input(), result.snapshot, &outcome.max_error);
  if (!outcome.problem.empty()) outcome.verdict = kVerdictWrong;
  return outcome;
}

Verdict VerdictFor(const cambrian::kernels::Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kTimeout:
      return kVerdictTimeout;
    case FaultKind::kWorkerGone:
      return kVerdictWorkerGone;
    case FaultKind::kWorkerFailed:
      return kVerdictWorkerFailed;
    case FaultKind::kProtocol:
    case FaultKind::kJudge:
      break;
  }
  return kVerdictProtocol;
}

void Broken(const std::string& why) {
  std::fprintf(stderr, "judge: %s\n", why.c_str());
  std::fflush(stderr);
  _exit(2);
}

void FinishSession(cambrian::kernels::JudgeSession& session) {
  std::optional<cambrian::kernels::Fault> fault = session.Finish();
  if (fault && fault->kind == FaultKind::kJudge) Broken(fault->reason);
}

}  // namespace matmul_task
