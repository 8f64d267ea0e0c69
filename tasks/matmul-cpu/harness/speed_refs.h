// The judge's trusted yardsticks for the matmul-cpu timing, compiled into
// the judge with the flags the candidate's kernel gets (-O3 -march=native):
// a reference kernel timed interleaved with the candidate's calls, so that
// the score is a ratio that machine load affects on both sides alike, and a
// floating-point peak that bounds what any honest single-core kernel can
// reach (a plausibility check on the candidate's GFLOP/s).
#ifndef CAMBRIAN_TASKS_MATMUL_CPU_SPEED_REFS_H_
#define CAMBRIAN_TASKS_MATMUL_CPU_SPEED_REFS_H_

#include <cstddef>

namespace matmul_task {

// C = A * B (n x n, row-major), i-k-j order: the inner loop streams a row of
// B into a row of C, vectorised by the compiler, unrolled 4 ways. About as
// fast as the best settings of the seed's knobs, so a good knob setting
// scores a speedup near 1.
void ReferenceMatmul(const float* a, const float* b, float* c, int n);

// One run of an FMA-bound loop (independent vector accumulators, as wide as
// -march=native allows) of about `flops` floating-point operations. Returns
// its GFLOP/s; the best of several runs approximates one core's peak.
double PeakGflopsOnce(double flops);

}  // namespace matmul_task

#endif  // CAMBRIAN_TASKS_MATMUL_CPU_SPEED_REFS_H_
