// Cheat: clock interposition. Defines clock_gettime, gettimeofday, time and
// clock so that every call in this process sees time crawl at 1/1000 of its
// pace (what fooled a harness linked into the candidate), and then runs the
// naive kernel.
// EVOLVE-BLOCK-START
#include <sys/time.h>
#include <time.h>

#include <cstdint>

namespace {

// A clock that advances one nanosecond per microsecond of real time.
int64_t SlowNs() {
  static int64_t calls = 0;
  return 1'000'000'000LL + (++calls);
}

}  // namespace

extern "C" int clock_gettime(clockid_t, struct timespec* ts) {
  const int64_t ns = SlowNs();
  ts->tv_sec = ns / 1'000'000'000;
  ts->tv_nsec = ns % 1'000'000'000;
  return 0;
}

extern "C" int gettimeofday(struct timeval* tv, void*) {
  const int64_t ns = SlowNs();
  tv->tv_sec = ns / 1'000'000'000;
  tv->tv_usec = (ns % 1'000'000'000) / 1000;
  return 0;
}

extern "C" time_t time(time_t* out) {
  if (out) *out = 1;
  return 1;
}

extern "C" clock_t clock() { return 1; }

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
