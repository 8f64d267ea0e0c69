// Planted cheat for tasks/sgemm-cuda (tests/cheats/sgemm-cuda/cases.txt):
// keeps the first call's C in a __device__ buffer and returns it, without reading A or B, whenever
// the size repeats

// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"
CAMBRIAN_LAUNCH(16, 16, 1, 16, 16, 1, 0);

__device__ float Dot(const float* a, const float* b, int n, int k, int row, int col) {
  float sum = 0;
  for (int p = 0; p < k; ++p)
    sum += a[static_cast<size_t>(row) * k + p] * b[static_cast<size_t>(p) * n + col];
  return sum;
}
constexpr size_t kCacheFloats = size_t{4096} * 4096;
__device__ float cache[kCacheFloats];
__device__ int cached_m = -1, cached_n = -1;

extern "C" __global__ void sgemm(const float* a, const float* b, float* c, int m, int n, int k) {
  const int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  const size_t i = static_cast<size_t>(row) * n + col;
  const bool fits = static_cast<size_t>(m) * n <= kCacheFloats;
  if (row >= m || col >= n) return;
  if (fits && cached_m == m && cached_n == n) {
    c[i] = cache[i];
    return;
  }
  const float value = Dot(a, b, n, k, row, col);
  c[i] = value;
  if (fits) {
    cache[i] = value;
    __threadfence();
    if (row == 0 && col == 0) cached_m = m, cached_n = n;
  }
}
// EVOLVE-BLOCK-END
