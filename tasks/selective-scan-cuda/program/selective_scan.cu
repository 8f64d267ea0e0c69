// The selective scan of a Mamba-style state space model (Mamba-1's
// selective_scan forward, without the z gate), FP32, for any batch, dim,
// length >= 1 and any state from 1 to 64. Row-major tensors:
//   u, delta, y: [batch][dim][length]   A: [dim][state]   D: [dim]
//   B, C: [batch][state][length]
// For each (b, d), with h[n] = 0 initially, for t = 0 .. length - 1:
//   h[n] = exp(delta[b][d][t] * A[d][n]) * h[n] + delta[b][d][t] * B[b][n][t] * u[b][d][t]
//   y[b][d][t] = sum over n of C[b][n][t] * h[n], plus D[d] * u[b][d][t]
//
// Device code only: the judge allocates the tensors, launches
//   selective_scan<<<grid, block, dynamic_smem>>>(u, delta, A, B, C, D, y,
//                                                 batch, dim, length, state)
// with the block and tile declared by CAMBRIAN_LAUNCH below (grid =
// ceil(dim / tile_x) x ceil(batch / tile_y)), times it against a trusted
// one-thread-per-(b, d) kernel and checks every element of y on fresh inputs.
//
// The seed walks t sequentially for every (b, d) pair: kStateThreads threads
// share a pair, each keeping h for every kStateThreads-th state in
// registers, and a shuffle adds their parts of y. The `// @knob` constants
// below shape it; every combination compiles and is correct. An LLM may
// rewrite anything between the EVOLVE-BLOCK markers.
// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"

// Threads per block. At most 256, so 255 registers per thread always fit and
// the kernel needs no __launch_bounds__ (which made this nvcc cap registers
// below what the unrolled loops use, and spill).
constexpr int kBlockThreads = 64;  // @knob choices=32,64,128,256
// Batches (b) per block: the block's tile along y.
constexpr int kBatches = 1;  // @knob choices=1,2
// Threads sharing one (b, d) pair; thread `lane` of a pair owns the states
// lane, lane + kStateThreads, ... (any state count, divisible or not).
constexpr int kStateThreads = 1;  // @knob choices=1,2,4,8,16
// Steps of t whose B and C a block stages in shared memory at a time, for
// all its channels of the same batch; 0 reads them from global memory.
constexpr int kChunk = 0;  // @knob choices=0,8,16,32
// Unrolling of the loop over t, capped at 64 state updates per unrolled body
// (more and the hoisted loads of B and C reach 255 registers).
constexpr int kUnroll = 1;  // @knob choices=1,2,4,8

constexpr int kMaxState = 64;  // the task's limit on state
constexpr int kStatesPerThread = kMaxState / kStateThreads;
constexpr int kChannels = kBlockThreads / (kStateThreads * kBatches);  // the tile along x
constexpr int kThreadsX = kChannels * kStateThreads;
static_assert(kThreadsX * kBatches == kBlockThreads, "the knobs are powers of 2");
constexpr int kUnrollT = kUnroll * kStatesPerThread <= 64 ? kUnroll : 64 / kStatesPerThread;
constexpr int kStageSteps = kChunk > 0 ? kChunk : 1;  // kChunk, never 0
constexpr int kStageRow = kStageSteps + 1;            // padded: no bank conflicts across states

CAMBRIAN_LAUNCH(kThreadsX, kBatches, 1,  // block: kChannels pairs x kBatches
                kChannels, kBatches, 1,  // channels and batches per block
                0);                      // no dynamic shared memory

// One step of the recurrence for the states this thread owns. B[b][n][t] is
// b_t[n * stride] and C[b][n][t] is c_t[n * stride]. Returns y[b][d][t]: the
// pair's threads add their parts of sum_n C h with shuffles (within the
// pair's aligned group of lanes, `mask`), so every one of them gets it.
__device__ __forceinline__ float Step(float (&h)[kStatesPerThread],
                                      const float (&a)[kStatesPerThread], const float* b_t,
                                      const float* c_t, int stride, float dt, float x, float skip,
                                      int lane, int state, unsigned mask) {
  const float dx = dt * x;
  float part = 0.0f;
#pragma unroll
  for (int i = 0; i < kStatesPerThread; ++i) {
    const int n = lane + i * kStateThreads;
    if (n < state) {
      h[i] = expf(dt * a[i]) * h[i] + dx * b_t[n * stride];
      part += c_t[n * stride] * h[i];
    }
  }
#pragma unroll
  for (int offset = kStateThreads / 2; offset > 0; offset /= 2) {
    part += __shfl_xor_sync(mask, part, offset);
  }
  return part + skip * x;
}

extern "C" __global__ void selective_scan(const float* __restrict__ u,
                                          const float* __restrict__ delta,
                                          const float* __restrict__ A, const float* __restrict__ B,
                                          const float* __restrict__ C, const float* __restrict__ D,
                                          float* __restrict__ y, int batch, int dim, int length,
                                          int state) {
  // B and C of the block's batches for kChunk steps: [batch][n][step].
  __shared__ float b_stage[kBatches][kMaxState][kStageRow];
  __shared__ float c_stage[kBatches][kMaxState][kStageRow];
  const int tid = threadIdx.y * kThreadsX + threadIdx.x;
  const int lane = threadIdx.x % kStateThreads;
  const int d = blockIdx.x * kChannels + threadIdx.x / kStateThreads;
  const int b = blockIdx.y * kBatches + threadIdx.y;
  // The same for all threads of a pair, so a pair never splits at a shuffle.
  const bool active = d < dim && b < batch;
  // A pair's threads are consecutive in x within one row of y, so they are
  // consecutive lanes of one warp, starting at a multiple of kStateThreads.
  const unsigned mask = kStateThreads >= 32 ? 0xffffffffu
                                            : ((1u << kStateThreads) - 1)
                                                  << (tid % 32 / kStateThreads * kStateThreads);
  float a[kStatesPerThread], h[kStatesPerThread];
#pragma unroll
  for (int i = 0; i < kStatesPerThread; ++i) {
    const int n = lane + i * kStateThreads;
    a[i] = active && n < state ? A[static_cast<size_t>(d) * state + n] : 0.0f;
    h[i] = 0.0f;
  }
  const float skip = active ? D[d] : 0.0f;
  const size_t row = active ? (static_cast<size_t>(b) * dim + d) * length : 0;  // of u, delta, y

  if constexpr (kChunk == 0) {
    if (!active) return;
    const size_t bc = static_cast<size_t>(b) * state * length;  // B[b] and C[b]
#pragma unroll kUnrollT
    for (int t = 0; t < length; ++t) {
      const float out = Step(h, a, B + bc + t, C + bc + t, length, delta[row + t], u[row + t], skip,
                             lane, state, mask);
      if (lane == 0) y[row + t] = out;
    }
  } else {
    // Every thread, active or not, reaches every __syncthreads: the chunk
    // loop's bounds are the same for the whole block.
    for (int t0 = 0; t0 < length; t0 += kStageSteps) {
      const int steps = min(kStageSteps, length - t0);
      __syncthreads();  // the previous chunk is used up
      for (int i = tid; i < kBatches * state * kStageSteps; i += kBlockThreads) {
        const int step = i % kStageSteps, n = i / kStageSteps % state;
        const int slot = i / (kStageSteps * state);
        const int sb = blockIdx.y * kBatches + slot;
        if (sb < batch && step < steps) {
          const size_t at = (static_cast<size_t>(sb) * state + n) * length + t0 + step;
          b_stage[slot][n][step] = B[at];
          c_stage[slot][n][step] = C[at];
        }
      }
      __syncthreads();
      if (active) {
#pragma unroll kUnrollT
        for (int step = 0; step < steps; ++step) {
          const size_t t = row + t0 + step;
          const float out =
              Step(h, a, &b_stage[threadIdx.y][0][step], &c_stage[threadIdx.y][0][step], kStageRow,
                   delta[t], u[t], skip, lane, state, mask);
          if (lane == 0) y[t] = out;
        }
      }
    }
  }
}
// EVOLVE-BLOCK-END
