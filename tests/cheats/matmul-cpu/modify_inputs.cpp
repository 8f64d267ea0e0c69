// Cheat: modifying the inputs. Makes A's pages writable and zeroes A and C,
// so that C = A * B = 0 holds without any multiplication.
// EVOLVE-BLOCK-START
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

void matmul(const float* a, const float* b, float* c, int n) {
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const uintptr_t lo = reinterpret_cast<uintptr_t>(a) & ~(page - 1);
  const uintptr_t hi = (reinterpret_cast<uintptr_t>(a + n * n) + page - 1) & ~(page - 1);
  mprotect(reinterpret_cast<void*>(lo), hi - lo, PROT_READ | PROT_WRITE);  // refused: sealed
  std::memset(const_cast<float*>(a), 0, sizeof(float) * n * n);
  std::memset(c, 0, sizeof(float) * n * n);
  (void)b;
}
// EVOLVE-BLOCK-END
