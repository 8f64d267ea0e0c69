// Single-precision matrix multiply on the GPU: C = A * B, row-major, A is
// m x k, B is k x n, C is m x n, for any m, n, k >= 1.
//
// Device code only: the judge allocates the matrices, launches
//   sgemm<<<grid, block, dynamic_smem>>>(a, b, c, m, n, k)
// with the block and tile declared by CAMBRIAN_LAUNCH below (grid =
// ceil(n / tile_x) x ceil(m / tile_y)), times it against cuBLAS and checks
// every element of C on fresh inputs. Results must be FP32-accurate (TF32
// tensor-core math fails the tolerance).
//
// The seed is the textbook shared-memory tiled kernel, one output element per
// thread. The `// @knob` constants below shape it; every combination compiles
// and is correct. An LLM may rewrite anything between the EVOLVE-BLOCK markers.
// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"

// Threads per block along x (columns of C) and y (rows of C).
constexpr int kThreadsX = 16;  // @knob choices=8,16,32
constexpr int kThreadsY = 16;  // @knob choices=8,16,32
// Outputs each thread computes: a kThreadM x kThreadN register tile.
constexpr int kThreadM = 1;  // @knob choices=1,2,4,8
constexpr int kThreadN = 1;  // @knob choices=1,2,4,8
// Depth of the k slice staged in shared memory per step.
constexpr int kBlockK = 8;  // @knob choices=4,8,16
// Unrolling of the loop over that slice.
constexpr int kUnroll = 1;  // @knob choices=1,2,4,8
// Padding of the A tile's rows in shared memory (bank conflicts).
constexpr int kPadA = 0;  // @knob choices=0,1,4

constexpr int kThreads = kThreadsX * kThreadsY;
constexpr int kBlockM = kThreadsY * kThreadM;  // rows of C per block
constexpr int kBlockN = kThreadsX * kThreadN;  // columns of C per block

CAMBRIAN_LAUNCH(kThreadsX, kThreadsY, 1,  // block
                kBlockN, kBlockM, 1,      // columns and rows of C per block
                0);                       // no dynamic shared memory

extern "C" __global__ void __launch_bounds__(kThreads)
    sgemm(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c, int m,
          int n, int k) {
  __shared__ float as[kBlockK][kBlockM + kPadA];  // A's tile, transposed
  __shared__ float bs[kBlockK][kBlockN];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int tid = ty * kThreadsX + tx;
  const int row0 = blockIdx.y * kBlockM, col0 = blockIdx.x * kBlockN;
  float acc[kThreadM][kThreadN] = {};
  for (int k0 = 0; k0 < k; k0 += kBlockK) {
    for (int i = tid; i < kBlockM * kBlockK; i += kThreads) {
      const int r = i / kBlockK, kk = i % kBlockK;
      const int gr = row0 + r, gk = k0 + kk;
      as[kk][r] = (gr < m && gk < k) ? a[static_cast<size_t>(gr) * k + gk] : 0.0f;
    }
    for (int i = tid; i < kBlockK * kBlockN; i += kThreads) {
      const int kk = i / kBlockN, col = i % kBlockN;
      const int gk = k0 + kk, gc = col0 + col;
      bs[kk][col] = (gk < k && gc < n) ? b[static_cast<size_t>(gk) * n + gc] : 0.0f;
    }
    __syncthreads();
#pragma unroll kUnroll
    for (int kk = 0; kk < kBlockK; ++kk) {
      float av[kThreadM], bv[kThreadN];
#pragma unroll
      for (int i = 0; i < kThreadM; ++i) av[i] = as[kk][ty * kThreadM + i];
#pragma unroll
      for (int j = 0; j < kThreadN; ++j) bv[j] = bs[kk][tx + j * kThreadsX];
#pragma unroll
      for (int i = 0; i < kThreadM; ++i) {
#pragma unroll
        for (int j = 0; j < kThreadN; ++j) acc[i][j] += av[i] * bv[j];
      }
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kThreadM; ++i) {
    const int row = row0 + ty * kThreadM + i;
#pragma unroll
    for (int j = 0; j < kThreadN; ++j) {
      const int col = col0 + tx + j * kThreadsX;
      if (row < m && col < n) c[static_cast<size_t>(row) * n + col] = acc[i][j];
    }
  }
}
// EVOLVE-BLOCK-END
