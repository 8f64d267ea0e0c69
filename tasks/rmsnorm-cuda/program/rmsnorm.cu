// Fused RMSNorm in bf16, as in Llama-style LLMs: for every row r of x
// (rows x dim, row-major) and every i < dim,
//   y[r][i] = bf16(x[r][i] * rsqrt(mean_i(x[r][i]^2) + 1e-6) * weight[i]),
// with the sum of squares and the scaling in FP32, for any rows, dim >= 1.
//
// Device code only: the judge allocates the tensors, launches
//   rmsnorm<<<grid, block, dynamic_smem>>>(x, weight, y, rows, dim)
// with the block and tile declared by CAMBRIAN_LAUNCH below (grid =
// ceil(rows / tile_x) blocks), times it against a trusted CUDA kernel and
// checks every element of y on fresh inputs.
//
// The seed gives each row to kThreadsPerRow threads: a first pass sums the
// squares of the row (each thread's share, then a shuffle and shared-memory
// reduction), a second pass reads the row again, scales it and writes y. It
// starts at one thread per row and scalar loads, which is slow. The `// @knob`
// constants below shape it; every combination compiles and is correct. An LLM
// may rewrite anything between the EVOLVE-BLOCK markers.
// EVOLVE-BLOCK-START
#include <cuda_bf16.h>

#include "cambrian_launch.cuh"

// Threads that share one row (a power of two; below 32, several rows share
// a warp, above 32 a row's warps combine their sums through shared memory).
constexpr int kThreadsPerRow = 1;  // @knob choices=1,2,4,8,16,32,64,128,256,512,1024
// Rows per block (capped so that a block has at most 1024 threads).
constexpr int kRowsPerBlock = 32;  // @knob choices=1,2,4,8,16,32,64
// bf16 values per global load and store (2, 4, 8 or 16 bytes). Rows whose
// start is not aligned to a whole vector (possible when dim is not a
// multiple of it) take a scalar path; a row's last dim % kVecWidth values
// are handled one by one.
constexpr int kVecWidth = 1;  // @knob choices=1,2,4,8
// Vectors per thread kept in registers between the two passes, so the
// second pass reads them from x only if the row has more.
constexpr int kCachedVecs = 0;  // @knob choices=0,1,2,4,8
// Unrolling of the loops over the vectors that are not kept.
constexpr int kUnroll = 1;  // @knob choices=1,2,4,8

constexpr float kEps = 1e-6f;  // part of the contract
constexpr int kRows =
    kThreadsPerRow * kRowsPerBlock <= 1024 ? kRowsPerBlock : 1024 / kThreadsPerRow;
constexpr int kThreads = kThreadsPerRow * kRows;
constexpr int kWarpsPerRow = kThreadsPerRow > 32 ? kThreadsPerRow / 32 : 1;
constexpr int kCacheSlots = kCachedVecs > 0 ? kCachedVecs : 1;  // no zero-length arrays

CAMBRIAN_LAUNCH(kThreadsPerRow, kRows, 1,  // block: a row's threads along x, rows along y
                kRows, 1, 1,               // rows per block
                0);                        // no dynamic shared memory

// kWidth bf16 values, read or written as one access of 2 * kWidth bytes.
template <int kWidth>
struct alignas(2 * kWidth) Bf16Vec {
  __nv_bfloat16 v[kWidth];
};

// One access of 2 * kWidth bytes (a copy of the whole vector, so the
// compiler emits a single vector load rather than one per element).
template <int kWidth>
__device__ __forceinline__ Bf16Vec<kWidth> Load(const Bf16Vec<kWidth>* p) {
  const Bf16Vec<kWidth> value = *p;
  return value;
}

template <int kWidth>
__device__ __forceinline__ float SumOfSquares(const Bf16Vec<kWidth>& p) {
  float sum = 0.0f;
#pragma unroll
  for (int e = 0; e < kWidth; ++e) {
    const float f = __bfloat162float(p.v[e]);
    sum += f * f;
  }
  return sum;
}

template <int kWidth>
__device__ __forceinline__ Bf16Vec<kWidth> Scaled(const Bf16Vec<kWidth>& x,
                                                  const Bf16Vec<kWidth>& w, float inv_rms) {
  Bf16Vec<kWidth> out;
#pragma unroll
  for (int e = 0; e < kWidth; ++e) {
    out.v[e] = __float2bfloat16(__bfloat162float(x.v[e]) * inv_rms * __bfloat162float(w.v[e]));
  }
  return out;
}

// Pass 1 over a row whose start is aligned to kWidth values: this thread's
// share of the sum of squares. Vector j of the thread (index t + j *
// kThreadsPerRow, j < kCached) is kept in cache[j].
template <int kWidth, int kCached, int kSlots>
__device__ __forceinline__ float RowSumOfSquares(const __nv_bfloat16* __restrict__ x_row, int dim,
                                                 int t, Bf16Vec<kWidth> (&cache)[kSlots]) {
  static_assert(kCached <= kSlots);
  const auto* xv = reinterpret_cast<const Bf16Vec<kWidth>*>(x_row);
  const int vecs = dim / kWidth;
  float sum = 0.0f;
#pragma unroll
  for (int j = 0; j < kCached; ++j) {
    const int v = t + j * kThreadsPerRow;
    if (v < vecs) {
      cache[j] = Load(xv + v);
      sum += SumOfSquares(cache[j]);
    }
  }
#pragma unroll kUnroll
  for (int v = t + kCached * kThreadsPerRow; v < vecs; v += kThreadsPerRow) {
    sum += SumOfSquares(Load(xv + v));
  }
  for (int i = vecs * kWidth + t; i < dim; i += kThreadsPerRow) {  // the tail
    const float f = __bfloat162float(x_row[i]);
    sum += f * f;
  }
  return sum;
}

// Pass 2 over the same row and the same elements per thread: y = x * inv_rms
// * weight, from the cache where pass 1 kept the values.
template <int kWidth, int kCached, int kSlots>
__device__ __forceinline__ void RowScale(const __nv_bfloat16* __restrict__ x_row,
                                         const __nv_bfloat16* __restrict__ weight,
                                         __nv_bfloat16* __restrict__ y_row, int dim, int t,
                                         float inv_rms, const Bf16Vec<kWidth> (&cache)[kSlots]) {
  const auto* xv = reinterpret_cast<const Bf16Vec<kWidth>*>(x_row);
  const auto* wv = reinterpret_cast<const Bf16Vec<kWidth>*>(weight);
  auto* yv = reinterpret_cast<Bf16Vec<kWidth>*>(y_row);
  const int vecs = dim / kWidth;
#pragma unroll
  for (int j = 0; j < kCached; ++j) {
    const int v = t + j * kThreadsPerRow;
    if (v < vecs) yv[v] = Scaled(cache[j], Load(wv + v), inv_rms);
  }
#pragma unroll kUnroll
  for (int v = t + kCached * kThreadsPerRow; v < vecs; v += kThreadsPerRow) {
    yv[v] = Scaled(Load(xv + v), Load(wv + v), inv_rms);
  }
  for (int i = vecs * kWidth + t; i < dim; i += kThreadsPerRow) {  // the tail
    y_row[i] = __float2bfloat16(__bfloat162float(x_row[i]) * inv_rms * __bfloat162float(weight[i]));
  }
}

// The row's total from each thread's share; every thread of the block calls
// it (it synchronises the block when a row spans several warps).
__device__ __forceinline__ float RowTotal(float sum) {
  if constexpr (kThreadsPerRow > 1) {
    // A row's threads are kGroup consecutive lanes of one warp (or whole
    // warps), starting at a multiple of kGroup, so the mask names exactly
    // the lanes that take part, also in a block smaller than a warp.
    constexpr int kGroup = kThreadsPerRow < 32 ? kThreadsPerRow : 32;
    const unsigned lane = (threadIdx.y * kThreadsPerRow + threadIdx.x) % 32;
    const unsigned mask = (0xffffffffu >> (32 - kGroup)) << (lane & ~(kGroup - 1u));
#pragma unroll
    for (int offset = kGroup / 2; offset > 0; offset /= 2) {
      sum += __shfl_xor_sync(mask, sum, offset);
    }
  }
  if constexpr (kWarpsPerRow > 1) {
    __shared__ float partial[kRows][kWarpsPerRow];
    if (threadIdx.x % 32 == 0) partial[threadIdx.y][threadIdx.x / 32] = sum;
    __syncthreads();
    sum = 0.0f;
#pragma unroll
    for (int w = 0; w < kWarpsPerRow; ++w) sum += partial[threadIdx.y][w];
  }
  return sum;
}

extern "C" __global__ void __launch_bounds__(kThreads)
    rmsnorm(const __nv_bfloat16* __restrict__ x, const __nv_bfloat16* __restrict__ weight,
            __nv_bfloat16* __restrict__ y, int rows, int dim) {
  const int row = blockIdx.x * kRows + threadIdx.y;
  const int t = threadIdx.x;  // this thread's place among the row's threads
  // Threads past the last row do no memory work but still take part in the
  // reduction's shuffles and barrier.
  const bool live = row < rows;
  const size_t start = live ? static_cast<size_t>(row) * dim : 0;
  const __nv_bfloat16* x_row = x + start;
  __nv_bfloat16* y_row = y + start;
  // x, weight and y start 256-byte aligned, so a row's vectors are aligned
  // when its first element is (y's rows lie like x's).
  const bool aligned = start % kVecWidth == 0;
  Bf16Vec<kVecWidth> cache[kCacheSlots];
  Bf16Vec<1> unused[1];
  float sum = 0.0f;
  if (live) {
    sum = aligned ? RowSumOfSquares<kVecWidth, kCachedVecs>(x_row, dim, t, cache)
                  : RowSumOfSquares<1, 0>(x_row, dim, t, unused);
  }
  const float inv_rms = rsqrtf(RowTotal(sum) / static_cast<float>(dim) + kEps);
  if (live) {
    if (aligned) {
      RowScale<kVecWidth, kCachedVecs>(x_row, weight, y_row, dim, t, inv_rms, cache);
    } else {
      RowScale<1, 0>(x_row, weight, y_row, dim, t, inv_rms, unused);
    }
  }
}
// EVOLVE-BLOCK-END
