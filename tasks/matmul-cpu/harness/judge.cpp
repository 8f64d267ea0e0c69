// Trusted judge of the matmul-cpu task: runs in its own process and sandbox,
// never linked with candidate code. The candidate's worker (worker.cpp +
// matmul.cpp) serves calls over the kernels protocol (kernels/PROTOCOL.md);
// this program makes the inputs, times, verifies and alone writes
// $CAMBRIAN_OUT/metrics.json.
//
//   judge check   every size in kCheckSizes once -> correct, max_error
//   judge time    n = 512, interleaved with the reference kernel
//                 -> speedup, gflops, ref_gflops, peak_gflops, ...
//
// Any misbehaving call (inputs changed, a guard hit, NaN, a wrong value, a
// FAIL, a protocol breach, a timeout, the worker gone) zeroes the result
// (correct = 0 or timed_correct = 0, speedup = 0), sets `verdict` (see
// judge_call.h; 0 when all went well) and says what happened in the feedback.
#include <cstdio>
#include <string>
#include <vector>

#include "judge_call.h"
#include "judge_session.h"
#include "matmul_verify.h"
#include "report.h"
#include "timing.h"

namespace matmul_task {
namespace {

using cambrian::kernels::Declarations;
using cambrian::kernels::FastRng;
using cambrian::kernels::JudgeSession;
using cambrian::kernels::Report;

constexpr int kCheckSizes[] = {1, 2, 7, 16, 67, 129, 256};
constexpr int kHelloTimeoutMs = 20000;
constexpr int kCheckCallTimeoutMs = 5000;

// Connects, waits for HELLO, shares buffers for sizes up to max_n, and only
// then seeds the input generator. A worker failure is reported; nullptr
// then (the process has exited).
std::unique_ptr<JudgeSession> Open(int max_n, Report* failure_report, std::optional<FastRng>* rng) {
  std::string error;
  std::unique_ptr<JudgeSession> session = JudgeSession::FromEnv(&error);
  if (!session) Broken(error);
  Declarations hello;
  std::optional<cambrian::kernels::Fault> fault = session->AwaitHello(kHelloTimeoutMs, &hello);
  if (!fault) fault = session->ShareMemory(Layout::InputBytes(max_n), Layout::OutputBytes(max_n));
  if (fault) {
    if (fault->kind == cambrian::kernels::FaultKind::kJudge) Broken(fault->reason);
    failure_report->Set("verdict", VerdictFor(*fault));
    failure_report->AddFeedback("before the first call: " + Describe(*fault));
    cambrian::kernels::WriteReportAndExit(*failure_report);
  }
  *rng = FastRng::FromEntropy(&error);  // after HELLO: no input existed before
  if (!*rng) Broken(error);
  return session;
}

[[noreturn]] void Check() {
  Report report;
  report.Set("correct", 0);
  std::optional<FastRng> rng;
  std::unique_ptr<JudgeSession> session =
      Open(kCheckSizes[std::size(kCheckSizes) - 1], &report, &rng);
  double worst = 0;
  Problem problem;
  for (int n : kCheckSizes) {
    const CallOutcome call = RunCall(*session, *rng, n, kCheckCallTimeoutMs, &problem);
    if (!call.problem.empty()) {
      report.Set("verdict", call.verdict);
      report.AddFeedback("n = " + std::to_string(n) + ": " + call.problem);
      FinishSession(*session);
      cambrian::kernels::WriteReportAndExit(report);
    }
    worst = std::max(worst, call.max_error);
  }
  FinishSession(*session);
  report.Set("correct", 1);
  report.Set("verdict", kVerdictOk);
  report.Set("max_error", worst);
  cambrian::kernels::WriteReportAndExit(report);
}

[[noreturn]] void Time() {
  Report report;
  ZeroTimeReport(&report);
  std::optional<FastRng> rng;
  std::unique_ptr<JudgeSession> session = Open(kTimeSize, &report, &rng);
  const TimingResult timing = RunTiming(*session, *rng);  // finishes the session
  WriteTimeReport(*session, timing, &report);
  cambrian::kernels::WriteReportAndExit(report);
}

}  // namespace
}  // namespace matmul_task

int main(int argc, char** argv) {
  const std::string mode = argc == 2 ? argv[1] : "";
  if (mode == "check") matmul_task::Check();
  if (mode == "time") matmul_task::Time();
  std::fprintf(stderr, "usage: %s check | time\n", argv[0]);
  return 2;
}
