// Cheat: multi-threading beyond the one core the task allows. Splits the
// rows of the naive kernel over four threads, so the call's wall time drops
// on a machine with spare cores.
// EVOLVE-BLOCK-START
#include <thread>
#include <vector>

namespace {

void Rows(const float* a, const float* b, float* c, int n, int from, int to) {
  for (int i = from; i < to; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0;
      for (int k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
  }
}

}  // namespace

void matmul(const float* a, const float* b, float* c, int n) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(Rows, a, b, c, n, n * t / kThreads, n * (t + 1) / kThreads);
  }
  for (std::thread& thread : threads) thread.join();
}
// EVOLVE-BLOCK-END
