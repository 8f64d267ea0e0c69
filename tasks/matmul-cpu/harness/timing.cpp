#include "timing.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

#include "judge_call.h"
#include "matmul_verify.h"
#include "shared_buffer.h"
#include "speed_refs.h"
#include "stats.h"
#include "wire.h"

namespace matmul_task {
namespace {

using cambrian::kernels::CallCharge;
using cambrian::kernels::FastRng;
using cambrian::kernels::JudgeSession;
using cambrian::kernels::SharedBuffer;

// The peak: kPeakRuns short runs (about 2 ms each on a current core) at the
// start, every kPeakEvery pairs and at the end; the best counts. Short runs
// catch the moments no other process shares the core, where one long run
// on a loaded machine would be preempted and read low.
constexpr double kPeakFlops = 5e8;
constexpr int kPeakRuns = 3;
constexpr int kPeakEvery = 5;
constexpr double kFlops = 2.0 * kTimeSize * kTimeSize * kTimeSize;
constexpr double kMaxBatch = 100;  // reference runs per pair at most

// Private buffers laid out like the shared ones (same offsets) and made the
// same way (memfd pages, which are never transparent huge pages, unlike a
// large malloc), so that the reference kernel meets the memory the
// candidate meets: with THP the same kernel ran about 8% faster here.
class ReferenceBuffers {
 public:
  ReferenceBuffers()
      : layout_(Layout::For(kTimeSize)),
        input_(Make("reference-input", Layout::InputBytes(kTimeSize))),
        output_(Make("reference-output", Layout::OutputBytes(kTimeSize))) {}
  float* a() { return Floats(input_, layout_.a_offset); }
  float* b() { return Floats(input_, layout_.b_offset); }
  float* c() { return Floats(output_, layout_.c_offset); }

 private:
  static SharedBuffer Make(const char* name, size_t bytes) {
    std::string error;
    std::optional<SharedBuffer> buffer =
        SharedBuffer::Create(name, bytes, cambrian::kernels::WorkerAccess::kReadWrite, &error);
    if (!buffer) Broken("reference buffers: " + error);
    buffer->CloseFd();
    return std::move(*buffer);
  }
  static float* Floats(const SharedBuffer& buffer, size_t offset) {
    return reinterpret_cast<float*>(buffer.bytes().data() + offset);
  }

  Layout layout_;
  SharedBuffer input_, output_;
};

// `runs` reference calls on fresh inputs and a poisoned C, as the candidate
// gets; returns the wall time of one, in nanoseconds (the batch's mean).
double TimeReference(FastRng& rng, ReferenceBuffers& ref, int runs) {
  const size_t elements = static_cast<size_t>(kTimeSize) * kTimeSize;
  rng.Fill({ref.a(), elements}, -1.0f, 1.0f);
  rng.Fill({ref.b(), elements}, -1.0f, 1.0f);
  std::fill(ref.c(), ref.c() + elements, std::numeric_limits<float>::quiet_NaN());
  const int64_t start = cambrian::kernels::MonotonicNs();
  for (int run = 0; run < runs; ++run) ReferenceMatmul(ref.a(), ref.b(), ref.c(), kTimeSize);
  return static_cast<double>(cambrian::kernels::MonotonicNs() - start) / runs;
}

// How many reference runs make a batch about as long as the candidate's
// call. A 5 ms burst fits in one scheduler slice while a 250 ms call is
// preempted by whatever else runs on the core; timing both over the same
// span exposes them to the same load, so that the ratio cancels it.
int BatchFor(double candidate_ns, double reference_ns) {
  if (!(reference_ns > 0)) return 1;
  return static_cast<int>(std::clamp(candidate_ns / reference_ns + 0.5, 1.0, kMaxBatch));
}

// Warm-up: the reference (checked: a wrong one is the judge's bug) and one
// candidate call (checked like every other). "" or what went wrong; sets
// the first pair's batch size.
std::string WarmUp(JudgeSession& session, FastRng& rng, ReferenceBuffers& ref, int* batch,
                   int* verdict) {
  const double reference_ns = TimeReference(rng, ref, 1);
  if (!(MaxRelativeError(ref.a(), ref.b(), ref.c(), kTimeSize) <= kTolerance)) {
    Broken("the reference kernel's result is wrong");
  }
  Problem problem;
  const CallOutcome call = RunCall(session, rng, kTimeSize, kTimeCallTimeoutMs, &problem);
  *batch = BatchFor(session.timer().calls()[call.index].wall_ns, reference_ns);
  *verdict = call.verdict;
  return call.problem.empty() ? "" : "warm-up call: " + call.problem;
}

double BestPeak(double best) {
  for (int run = 0; run < kPeakRuns; ++run) best = std::max(best, PeakGflopsOnce(kPeakFlops));
  return best;
}

std::vector<double> Charged(const JudgeSession& session, const TimingResult& timing,
                            int64_t (*field)(const CallCharge&)) {
  std::vector<double> values;
  for (size_t index : timing.cand_calls) {
    values.push_back(static_cast<double>(field(session.timer().calls()[index])));
  }
  return values;
}

}  // namespace

TimingResult RunTiming(JudgeSession& session, FastRng& rng) {
  TimingResult result;
  ReferenceBuffers ref;
  result.peak_gflops = BestPeak(0);
  int batch = 1;
  result.problem = WarmUp(session, rng, ref, &batch, &result.verdict);
  Problem problem;
  double spent_ns = 0;
  for (int pair = 0; result.problem.empty() && pair < kMaxPairs &&
                     (pair < kMinPairs || spent_ns < kBudgetSeconds * 1e9);
       ++pair) {
    result.ref_ns.push_back(TimeReference(rng, ref, batch));
    const CallOutcome call = RunCall(session, rng, kTimeSize, kTimeCallTimeoutMs, &problem);
    if (!call.problem.empty()) {
      result.problem = "timed call " + std::to_string(pair + 1) + ": " + call.problem;
      result.verdict = call.verdict;
      break;
    }
    result.cand_calls.push_back(call.index);
    result.max_error = std::max(result.max_error, call.max_error);
    const double call_ns = session.timer().calls()[call.index].wall_ns;
    spent_ns += result.ref_ns.back() * batch + call_ns;
    batch = BatchFor(call_ns, result.ref_ns.back());
    if (pair % kPeakEvery == kPeakEvery - 1) result.peak_gflops = BestPeak(result.peak_gflops);
  }
  result.peak_gflops = BestPeak(result.peak_gflops);
  FinishSession(session);
  return result;
}

void ZeroTimeReport(cambrian::kernels::Report* report) {
  report->Set("speedup", 0);
  report->Set("gflops", 0);
  report->Set("peak_gflops", 0);
  report->Set("timed_correct", 0);
}

void WriteTimeReport(const JudgeSession& session, const TimingResult& timing,
                     cambrian::kernels::Report* report) {
  using cambrian::kernels::Median;
  ZeroTimeReport(report);
  report->Set("peak_gflops", timing.peak_gflops);
  report->Set("cpu_accounted", session.metered() ? 1 : 0);
  report->Set("verdict", timing.verdict);
  if (!timing.problem.empty()) {
    report->AddFeedback(timing.problem);
    return;
  }
  const std::vector<double> charged =
      Charged(session, timing, [](const CallCharge& c) { return c.charged_ns(); });
  const std::vector<double> wall =
      Charged(session, timing, [](const CallCharge& c) { return c.wall_ns; });
  const std::vector<double> ratios = cambrian::kernels::Ratios(timing.ref_ns, charged);
  report->Set("speedup", Median(ratios));
  report->Set("speedup_spread", cambrian::kernels::RelativeIqr(ratios));
  report->Set("gflops", kFlops / Median(charged));
  report->Set("time_ms", Median(charged) / 1e6);
  report->Set("wall_ms", Median(wall) / 1e6);
  const std::vector<double> cpu =
      Charged(session, timing, [](const CallCharge& c) { return c.cpu_ns; });
  if (session.metered()) report->Set("cpu_ms", Median(cpu) / 1e6);
  // How many cores the worker kept busy at once: its CPU over the timed
  // calls and their tails, per second of wall time. About 1 for one thread;
  // the task allows one core (plausible_if), since charging CPU time alone
  // does not charge the second core's cache. 0 without a meter (unknown).
  double cpu_sum = 0, wall_sum = 0;
  for (size_t i = 0; i < cpu.size(); ++i) cpu_sum += cpu[i], wall_sum += wall[i];
  report->Set("cores_used", session.metered() && wall_sum > 0 ? cpu_sum / wall_sum : 0);
  report->Set("ref_gflops", kFlops / Median(timing.ref_ns));
  report->Set("reps", static_cast<double>(charged.size()));
  report->Set("max_error", timing.max_error);
  report->Set("timed_correct", 1);
}

}  // namespace matmul_task
