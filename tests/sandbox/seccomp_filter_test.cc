#include "sandbox/seccomp_filter.h"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace cambrian::sandbox {
namespace {

// Installs the filter read from `fd` in this (child) process; false on error.
bool Install(int fd) {
  std::vector<sock_filter> program(64);
  const ssize_t bytes = read(fd, program.data(), program.size() * sizeof(sock_filter));
  if (bytes <= 0 || bytes % sizeof(sock_filter) != 0) return false;
  sock_fprog fprog{static_cast<unsigned short>(bytes / sizeof(sock_filter)), program.data()};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) == 0;
}

// What the filtered child saw, as its exit code.
int RunFiltered(int fd) {
  if (!Install(fd)) return 10;
  if (unshare(CLONE_NEWUSER) == 0 || errno != EPERM) return 11;
  if (syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) return 12;
  pid_t child = fork();  // plain clone() still works
  if (child == 0) _exit(0);
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || status != 0) return 13;
  return 0;
}

TEST(SeccompFilterTest, RefusesUserNamespacesOnly) {
  absl::StatusOr<int> fd = NoUserNamespacesFilterFd();
  if (absl::IsUnimplemented(fd.status())) GTEST_SKIP() << fd.status();
  ASSERT_TRUE(fd.ok()) << fd.status();
  pid_t child = fork();
  if (child == 0) _exit(RunFiltered(*fd));
  close(*fd);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "10: not installed, 11: unshare(CLONE_NEWUSER) allowed, 12: clone3 allowed, "
         "13: fork refused";
}

}  // namespace
}  // namespace cambrian::sandbox
