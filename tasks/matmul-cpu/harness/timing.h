// The `time` mode of the matmul-cpu judge: the candidate's n = 512 calls
// interleaved with the trusted reference kernel (reference, candidate,
// reference, candidate, ...), so that load on the machine slows both members
// of a pair alike and the per-pair ratio cancels it. The reference half of a
// pair is a batch of runs lasting about as long as the candidate's last call,
// so that a slow candidate and the fast reference see the same preemption.
#ifndef CAMBRIAN_TASKS_MATMUL_CPU_TIMING_H_
#define CAMBRIAN_TASKS_MATMUL_CPU_TIMING_H_

#include <cstddef>
#include <string>
#include <vector>

#include "entropy.h"
#include "judge_session.h"
#include "report.h"

namespace matmul_task {

inline constexpr int kTimeSize = 512;
inline constexpr int kMinPairs = 5;
inline constexpr int kMaxPairs = 30;
// Pairs stop after kMinPairs once reference + candidate time reach this.
inline constexpr double kBudgetSeconds = 1.5;
inline constexpr int kTimeCallTimeoutMs = 10000;

struct TimingResult {
  std::string problem;             // "" when every call answered right
  int verdict = 0;                 // judge_call.h's Verdict
  std::vector<double> ref_ns;      // the reference kernel, one per pair
  std::vector<size_t> cand_calls;  // the candidate's timed calls, in the session's timer
  double peak_gflops = 0;          // the best of the peak loop's runs
  double max_error = 0;
};

// One warm-up call of each kernel, then the pairs, with a peak measurement
// at the start, every few pairs and at the end; finishes the session (so the
// charges are final). Stops at the first wrong call.
TimingResult RunTiming(cambrian::kernels::JudgeSession& session, cambrian::kernels::FastRng& rng);

// The metrics a failed timing reports (also the report's starting point, so
// that an early exit reports a zero score): speedup, gflops, timed_correct 0.
void ZeroTimeReport(cambrian::kernels::Report* report);

// speedup (median over pairs of reference time / candidate charged time),
// speedup_spread (relative IQR of those ratios), gflops and time_ms (the
// candidate's median charged time), wall_ms, cpu_ms, ref_gflops,
// peak_gflops, reps, timed_correct, cpu_accounted, max_error.
void WriteTimeReport(const cambrian::kernels::JudgeSession& session, const TimingResult& timing,
                     cambrian::kernels::Report* report);

}  // namespace matmul_task

#endif  // CAMBRIAN_TASKS_MATMUL_CPU_TIMING_H_
