// Cheat: lazy work in a background thread. Returns at once and lets a
// thread compute C after the call has answered, so the measured call takes
// no time.
// EVOLVE-BLOCK-START
#include <thread>

void matmul(const float* a, const float* b, float* c, int n) {
  std::thread([a, b, c, n] {
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        float sum = 0;
        for (int k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
        c[i * n + j] = sum;
      }
    }
  }).detach();
}
// EVOLVE-BLOCK-END
