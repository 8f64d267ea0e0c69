// Cheat: slowing the judge's reference kernel. A background thread spins
// for ever, competing for the core the judge times its reference on, so
// that the reference looks slow and the candidate's ratio to it large. The
// calls themselves use the naive kernel.
// EVOLVE-BLOCK-START
#include <atomic>
#include <thread>

namespace {

std::atomic<unsigned> g_sink;

struct Spinner {
  Spinner() {
    for (int t = 0; t < 2; ++t) {
      std::thread([] {
        for (;;) g_sink.fetch_add(1, std::memory_order_relaxed);
      }).detach();
    }
  }
} spinner;

}  // namespace

void matmul(const float* a, const float* b, float* c, int n) {
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0;
      for (int k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
  }
}
// EVOLVE-BLOCK-END
