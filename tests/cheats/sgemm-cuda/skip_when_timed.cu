// Planted cheat for tasks/sgemm-cuda (tests/cheats/sgemm-cuda/cases.txt):
// counts its launches in a __device__ counter and, after the first eight, returns without computing
// (the warm-ups pass, the timed calls are free)

// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"
CAMBRIAN_LAUNCH(16, 16, 1, 16, 16, 1, 0);

__device__ float Dot(const float* a, const float* b, int n, int k, int row, int col) {
  float sum = 0;
  for (int p = 0; p < k; ++p)
    sum += a[static_cast<size_t>(row) * k + p] * b[static_cast<size_t>(p) * n + col];
  return sum;
}
__device__ unsigned launches = 0;
__device__ unsigned blocks_done = 0;

extern "C" __global__ void sgemm(const float* a, const float* b, float* c, int m, int n, int k) {
  const int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  __shared__ unsigned launch;
  if (threadIdx.x == 0 && threadIdx.y == 0) launch = atomicAdd(&launches, 0u);
  __syncthreads();
  if (launch >= 8) return;
  if (row < m && col < n) c[static_cast<size_t>(row) * n + col] = Dot(a, b, n, k, row, col);
  __syncthreads();
  // The last block to finish counts the launch.
  if (threadIdx.x == 0 && threadIdx.y == 0 &&
      atomicAdd(&blocks_done, 1u) == gridDim.x * gridDim.y - 1) {
    blocks_done = 0;
    atomicAdd(&launches, 1u);
  }
}
// EVOLVE-BLOCK-END
