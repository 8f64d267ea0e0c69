#include "sandbox/seccomp_filter.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <vector>

#include "absl/status/status.h"

namespace cambrian::sandbox {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_X86_64;
// x32 syscalls arrive under the x86_64 audit arch with this bit set.
constexpr uint32_t kForeignNrBit = 0x40000000;
#elif defined(__aarch64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
constexpr uint32_t kForeignNrBit = 0;
#endif

constexpr uint32_t kAllow = SECCOMP_RET_ALLOW;
constexpr uint32_t kEperm = SECCOMP_RET_ERRNO | EPERM;
constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;
// The low 32 bits of the first argument (the clone/unshare flags).
constexpr uint32_t kArg0Low = offsetof(seccomp_data, args[0]) +
                              (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : sizeof(uint32_t));

#if defined(__x86_64__) || defined(__aarch64__)
std::vector<sock_filter> Program() {
  return {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, kEnosys),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      // 4: another ABI's numbers (x32); nothing when there is none.
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, kForeignNrBit, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kEnosys),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kEnosys),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, kAllow),
      // 11: unshare or clone: look at the flags.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArg0Low),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWUSER, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, kEperm),
      BPF_STMT(BPF_RET | BPF_K, kAllow),
  };
}
#endif

}  // namespace

absl::StatusOr<int> NoUserNamespacesFilterFd() {
#if defined(__x86_64__) || defined(__aarch64__)
  const std::vector<sock_filter> program = Program();
  const int fd = memfd_create("cambrian-seccomp", MFD_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, "sandbox: memfd_create");
  const size_t bytes = program.size() * sizeof(sock_filter);
  if (write(fd, program.data(), bytes) != static_cast<ssize_t>(bytes) ||
      lseek(fd, 0, SEEK_SET) != 0) {
    const int saved = errno;
    close(fd);
    return absl::ErrnoToStatus(saved, "sandbox: write the seccomp filter");
  }
  return fd;
#else
  return absl::UnimplementedError("sandbox: no seccomp filter for this architecture");
#endif
}

}  // namespace cambrian::sandbox
