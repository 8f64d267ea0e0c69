// Planted cheat for tasks/sgemm-cuda (tests/cheats/sgemm-cuda/cases.txt):
// launches a fire-and-forget child grid (dynamic parallelism) that fills C after the parent kernel
// returns

// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"
CAMBRIAN_LAUNCH(16, 16, 1, 16, 16, 1, 0);

__device__ float Dot(const float* a, const float* b, int n, int k, int row, int col) {
  float sum = 0;
  for (int p = 0; p < k; ++p)
    sum += a[static_cast<size_t>(row) * k + p] * b[static_cast<size_t>(p) * n + col];
  return sum;
}

__global__ void Finish(const float* a, const float* b, float* c, int m, int n, int k) {
  const int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  if (row < m && col < n) c[static_cast<size_t>(row) * n + col] = Dot(a, b, n, k, row, col);
}

extern "C" __global__ void sgemm(const float* a, const float* b, float* c, int m, int n, int k) {
  if (blockIdx.x == 0 && blockIdx.y == 0 && threadIdx.x == 0 && threadIdx.y == 0) {
    Finish<<<gridDim, blockDim, 0, cudaStreamFireAndForget>>>(a, b, c, m, n, k);
  }
}
// EVOLVE-BLOCK-END
