// Planted cheat for tasks/sgemm-cuda (tests/cheats/sgemm-cuda/cases.txt):
// declares a seventh parameter, a 64-byte struct, hoping the launch copies
// judge memory past the six arguments it passes into the kernel

// EVOLVE-BLOCK-START
#include "cambrian_launch.cuh"
CAMBRIAN_LAUNCH(16, 16, 1, 16, 16, 1, 0);

struct Peek {
  unsigned long long words[8];
};

extern "C" __global__ void sgemm(const float* a, const float* b, float* c, int m, int n, int k,
                                 Peek peek) {
  const int row = blockIdx.y * 16 + threadIdx.y, col = blockIdx.x * 16 + threadIdx.x;
  if (row >= m || col >= n) return;
  float sum = 0;
  for (int p = 0; p < k; ++p) {
    sum += a[static_cast<size_t>(row) * k + p] * b[static_cast<size_t>(p) * n + col];
  }
  // Leaks what it was given into C's first element.
  c[static_cast<size_t>(row) * n + col] =
      row == 0 && col == 0 ? static_cast<float>(peek.words[0] & 0xffff) : sum;
}
// EVOLVE-BLOCK-END
