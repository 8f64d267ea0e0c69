// A file descriptor owned by one object: closed when the owner goes away.
#ifndef CAMBRIAN_KERNELS_UNIQUE_FD_H_
#define CAMBRIAN_KERNELS_UNIQUE_FD_H_

#include <unistd.h>

#include <utility>

namespace cambrian::kernels {

// Move-only owner of a descriptor; -1 means none. Not thread-safe.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (if any) and owns `fd` instead.
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_UNIQUE_FD_H_
