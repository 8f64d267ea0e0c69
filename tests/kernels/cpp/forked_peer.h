// A real child process on the other end of a SOCK_SEQPACKET socket pair, for
// tests of both protocol sides. Header-only test support.
#ifndef CAMBRIAN_TESTS_KERNELS_CPP_FORKED_PEER_H_
#define CAMBRIAN_TESTS_KERNELS_CPP_FORKED_PEER_H_

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <utility>

#include "unique_fd.h"

namespace cambrian::kernels::testing {

// Forks; the child runs `body` with its end of the pair and _exits with the
// result (so no test-framework code runs in it). The parent keeps the other
// end. The destructor kills and reaps a child still running.
class ForkedPeer {
 public:
  explicit ForkedPeer(const std::function<int(UniqueFd)>& body) {
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      _exit(body(UniqueFd(fds[1])));
    }
    close(fds[1]);
    socket_.Reset(fds[0]);
  }
  ForkedPeer(const ForkedPeer&) = delete;
  ForkedPeer& operator=(const ForkedPeer&) = delete;
  ~ForkedPeer() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      Wait();
    }
  }

  bool started() const { return pid_ > 0 && socket_.valid(); }
  pid_t pid() const { return pid_; }
  UniqueFd TakeSocket() { return std::move(socket_); }

  // The child's exit status, or 128 + the signal that killed it. A child
  // still running after `timeout_ms` is killed (a test never hangs), which
  // reads as 128 + SIGKILL.
  int Wait(int timeout_ms = 30000) {
    int status = 0;
    for (int waited = 0;; waited += 5) {
      const pid_t got = waitpid(pid_, &status, WNOHANG);
      if (got == pid_) break;
      if (got < 0 && errno != EINTR) return -1;
      if (waited >= timeout_ms) kill(pid_, SIGKILL);
      usleep(5000);
    }
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd socket_;
};

}  // namespace cambrian::kernels::testing

#endif  // CAMBRIAN_TESTS_KERNELS_CPP_FORKED_PEER_H_
