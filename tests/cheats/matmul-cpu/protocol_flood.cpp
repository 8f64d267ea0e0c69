// Cheat: flooding the socket. After computing the first call's result it
// sends ten thousand DONE packets (seq 1, 2, ...) on the judge socket, so
// that later calls find their answer already waiting.
// EVOLVE-BLOCK-START
#include <sys/socket.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {

void SendDone(int fd, uint64_t seq) {
  unsigned char packet[16] = {'C', 'C', 'J', '1', 4, 0, 0, 0};
  std::memcpy(packet + 8, &seq, sizeof seq);  // little-endian on x86
  send(fd, packet, sizeof packet, MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

void matmul(const float* a, const float* b, float* c, int n) {
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      float sum = 0;
      for (int k = 0; k < n; ++k) sum += a[i * n + k] * b[k * n + j];
      c[i * n + j] = sum;
    }
  }
  static bool flooded = false;
  const char* fd = std::getenv("CAMBRIAN_JUDGE_FD");
  if (flooded || fd == nullptr) return;
  flooded = true;
  for (uint64_t seq = 1; seq <= 10000; ++seq) SendDone(std::atoi(fd), seq);
}
// EVOLVE-BLOCK-END
