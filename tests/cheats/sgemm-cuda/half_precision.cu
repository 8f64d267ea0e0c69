// Planted cheat for tasks/sgemm-cuda (tests/cheats/sgemm-cuda/cases.txt):
// accumulates in FP16 (what tensor cores would make fast): far outside the FP32 tolerance

// EVOLVE-BLOCK-START
#include <cuda_fp16.h>

#include "cambrian_launch.cuh"
CAMBRIAN_LAUNCH(16, 16, 1, 16, 16, 1, 0);

__device__ float Dot(const float* a, const float* b, int n, int k, int row, int col) {
  float sum = 0;
  for (int p = 0; p < k; ++p)
    sum += a[static_cast<size_t>(row) * k + p] * b[static_cast<size_t>(p) * n + col];
  return sum;
}
extern "C" __global__ void sgemm(const float* a, const float* b, float* c, int m, int n, int k) {
  const int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  if (row >= m || col >= n) return;
  __half sum = __float2half(0.0f);
  for (int p = 0; p < k; ++p) {
    sum = __hfma(__float2half(a[static_cast<size_t>(row) * k + p]),
                 __float2half(b[static_cast<size_t>(p) * n + col]), sum);
  }
  c[static_cast<size_t>(row) * n + col] = __half2float(sum);
}
// EVOLVE-BLOCK-END
