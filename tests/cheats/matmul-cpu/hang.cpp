// Cheat: hanging without replying. The first call never returns.
// EVOLVE-BLOCK-START
#include <unistd.h>

void matmul(const float* a, const float* b, float* c, int n) {
  (void)a, (void)b, (void)c, (void)n;
  for (;;) pause();
}
// EVOLVE-BLOCK-END
