// The seccomp filter every bubblewrap job runs under: no new user
// namespaces, so a job cannot become root of one of its own (and mount
// there). Internal to the sandbox module.
#ifndef CAMBRIAN_SANDBOX_SECCOMP_FILTER_H_
#define CAMBRIAN_SANDBOX_SECCOMP_FILTER_H_

#include "absl/status/statusor.h"

namespace cambrian::sandbox {

// A fresh memfd holding a classic BPF seccomp program, as
// `bwrap --seccomp FD` reads it (from its start, once; the caller closes
// its copy). The program:
//   - unshare() and clone() with CLONE_NEWUSER: EPERM;
//   - clone3(), whose flags a classic filter cannot read: ENOSYS (glibc and
//     other runtimes then fall back to clone(), which is checked);
//   - any syscall of another ABI (i386 through int 0x80, x32): ENOSYS;
//   - everything else allowed.
// Errors: kUnimplemented on an architecture it has no numbers for; the errno
// of memfd_create or write.
[[nodiscard]] absl::StatusOr<int> NoUserNamespacesFilterFd();

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_SECCOMP_FILTER_H_
