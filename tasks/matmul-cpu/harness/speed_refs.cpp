#include "speed_refs.h"

#include <time.h>

#include <algorithm>
#include <cstdint>

namespace matmul_task {
namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
// Enough independent chains to cover FMA latency x throughput (4 x 2 on
// current x86 cores) with room to spare, few enough to stay in registers.
constexpr int kChains = 12;

typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

double NowSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

void ReferenceMatmul(const float* __restrict a, const float* __restrict b, float* __restrict c,
                     int n) {
  std::fill(c, c + static_cast<size_t>(n) * n, 0.0f);
  for (int i = 0; i < n; ++i) {
    float* __restrict row_c = c + static_cast<size_t>(i) * n;
    for (int k = 0; k < n; ++k) {
      const float aik = a[static_cast<size_t>(i) * n + k];
      const float* __restrict row_b = b + static_cast<size_t>(k) * n;
#pragma GCC unroll 4
      for (int j = 0; j < n; ++j) row_c[j] += aik * row_b[j];
    }
  }
}

double PeakGflopsOnce(double flops) {
  const int64_t iterations = std::max<int64_t>(1, flops / (2.0 * kLanes * kChains));
  Vec acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = Vec{} + (1.0f + 0.001f * i);
  const Vec x = Vec{} + 0.999999f, y = Vec{} + 1e-6f;
  const double start = NowSeconds();
  for (int64_t it = 0; it < iterations; ++it) {
    for (int i = 0; i < kChains; ++i) acc[i] = acc[i] * x + y;  // one FMA per chain
  }
  const double seconds = NowSeconds() - start;
  // Keep the result alive, so that the loop is not optimised away.
  Vec sum = Vec{};
  for (int i = 0; i < kChains; ++i) sum += acc[i];
  volatile float sink = sum[0];
  (void)sink;
  return 2.0 * kLanes * kChains * static_cast<double>(iterations) / seconds / 1e9;
}

}  // namespace matmul_task
