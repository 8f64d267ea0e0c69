// Planted cheat for tasks/sgemm-cuda (tests/cheats/sgemm-cuda/cases.txt):
// omits CAMBRIAN_LAUNCH, hoping the judge falls back to a default launch

// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"

__device__ float Dot(const float* a, const float* b, int n, int k, int row, int col) {
  float sum = 0;
  for (int p = 0; p < k; ++p)
    sum += a[static_cast<size_t>(row) * k + p] * b[static_cast<size_t>(p) * n + col];
  return sum;
}
extern "C" __global__ void sgemm(const float* a, const float* b, float* c, int m, int n, int k) {
  const int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  if (row < m && col < n) c[static_cast<size_t>(row) * n + col] = Dot(a, b, n, k, row, col);
}
// EVOLVE-BLOCK-END
